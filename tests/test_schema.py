"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pamong.extensions import db


def test_migrated_database_matches_the_models(app):
    """Alembic finds nothing to add, drop or change after the migrations ran."""
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection), db.metadata
        )
    assert differences == []
