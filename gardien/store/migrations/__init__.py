"""Alembic migrations; `gardien db upgrade` applies them."""
