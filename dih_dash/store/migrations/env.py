"""Alembic environment, configured in code by `dih_dash.store.migrate` (no alembic.ini).

The caller hands over a connection that is already inside a write transaction holding
the writers' lock, so two processes opening a new store at once cannot both migrate it,
and a failed migration leaves the store at its previous revision.
"""

from __future__ import annotations

from alembic import context

from dih_dash.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "dih-dash migrations run through dih_dash.store.migrate.upgrade(), "
        "not the alembic command line"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite rolls DDL back like any other statement; say so, since alembic assumes not.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
