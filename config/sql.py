"""Names for the few statements Agora writes as SQL, taken from the models.

Where building an ORM query costs many times what the database spends answering it (the
session, the unread badge, the reader's reaction: docs/PERFORMANCE.md), the statement is
written once per database. Its table and column names come from here, quoted for that
database; every value stays a parameter.
"""

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model


def table_and_columns(
    model: type[Model], *fields: str, connection: BaseDatabaseWrapper = default_connection
) -> tuple[str, dict[str, str]]:
    """The model's quoted table name, and the quoted column of each named field."""
    quote = connection.ops.quote_name
    meta = model._meta
    return quote(meta.db_table), {name: quote(meta.get_field(name).column) for name in fields}
