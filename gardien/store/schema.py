"""All tables: the core ones in tables.py and each area's in its own `tables_<area>.py`.

Areas (members, care, accounts, channels …) keep their tables in their own module and their
migrations on their own Alembic branch off the initial schema, so they can grow independently;
`gardien db upgrade` applies every branch ("heads")."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from sqlalchemy import MetaData

from gardien.store.tables import Base


def load_all_tables() -> MetaData:
    """Import every table module so the metadata knows every table; return that metadata."""
    importlib.import_module("gardien.store.tables")
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("tables_"):
            importlib.import_module(f"gardien.store.{info.name}")
    return Base.metadata
