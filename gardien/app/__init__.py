"""Use cases that tie the core to the adapters (store, pipeline), shared by the CLI and the web."""
