"""Alembic environment: runs with the engine handed over by console.db.upgrade()."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from console.models import Base
from console.models.case_search import include_name

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` command line: sqlalchemy.url from the ini
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("alembic: no engine handed over and no sqlalchemy.url in the ini")
        engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            # The search index lives outside the models: autogenerate must not drop it.
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
