"""Signing in: signed-cookie sessions, API tokens, CSRF tokens, the rate-limited sign-in form."""
