"""The console: server-rendered pages over the same read models as the API."""
