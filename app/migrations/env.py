"""Alembic environment. Run through ``app.core.ledger.db.migrate`` (it passes the connection
and handles SQLite's foreign-key pragma); ``alembic`` on the command line works too with
``-x url=sqlite:///path``."""
from alembic import context
from sqlalchemy import create_engine

from app.core.ledger.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: rebuild tables in batches
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as fresh:
        run_migrations(fresh)
