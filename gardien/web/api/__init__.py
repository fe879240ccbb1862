"""The JSON API: thin routes that parse, call the store or the core, and answer with schemas."""
