"""Web adapter: the JSON API under /api/v1 and the server-rendered console."""
