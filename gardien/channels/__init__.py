"""Channel adapters: where posts come from (files, webhooks, platforms) and where actions go."""
