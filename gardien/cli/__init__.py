"""The `gardien` command: one module per command group, each parses, calls the core, prints."""
