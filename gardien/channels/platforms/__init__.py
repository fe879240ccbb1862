"""One module per platform: Mastodon, Discourse, RSS/Atom, X, Facebook/Instagram, YouTube, Reddit."""
