"""Storage adapter: SQLAlchemy models, Alembic migrations and repository functions."""
