"""The content version: a cheap validator for the lists and pages Agora reads most.

A list page builds an ORM query, counts its rows and makes a model instance of each: about
half of what `/` costs, for rows that change far less often than they are read. Those reads
are kept per process (`remember`) under the version of Agora's content, which moves on after
every commit that wrote to the blog's, the shop's or the users' tables:

- in this process, at once (a counter in memory);
- for every other process (another daphne, a gunicorn worker, a shell, a management command),
  by one row of the database raised after the commit, which each request reads with one
  prepared statement (~0.05 ms).

The writes are seen where they are made: a wrapper on every database connection of the
process (`watch`) looks at each statement that is not a SELECT, so the services, the admin, a
queryset's `update()`, a cascade and raw SQL are all seen, and nothing has to remember to say
that it wrote. While a connection's transaction holds content writes not yet committed, what
it reads is its own and is neither kept nor taken from what is kept (`current()` is None);
if it is rolled back, nothing changed for the others. A reader that takes the old version
with the new rows only keeps them under a key nobody asks for again. What is kept also
expires after `TIMEOUT` seconds, whatever happens (a process killed between a commit and the
version's raise).
"""

import hashlib
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from config.sql import table_and_columns

# The apps whose tables are content; the user model's table is added (names on every card).
CONTENT_APPS = ("blog", "shop")
# The cache that keeps the reads (each process's memory: settings.CACHES).
CACHE = "reads"
TIMEOUT = 300

_local_version = 0
_local_lock = threading.Lock()
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


@cache
def content_tables() -> tuple[str, ...]:
    models = [
        model
        for label in CONTENT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    models.append(apps.get_model(settings.AUTH_USER_MODEL))
    return tuple(sorted({model._meta.db_table for model in models}))


def _is_content_write(sql: str) -> bool:
    return sql.lstrip()[:6].upper() in WRITES and any(t in sql for t in content_tables())


def _moved_here() -> None:
    global _local_version
    with _local_lock:
        _local_version += 1


class _Committed:
    """Runs once after the transaction that wrote content commits (one per transaction)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(self) -> None:
        _moved_here()
        connection = connections[self.alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute(_raise(self.alias))
        except DatabaseError:
            version_table = apps.get_model("config", "ContentVersion")._meta.db_table
            if version_table not in connection.introspection.table_names():
                return  # `migrate` writing content before it made the version's table
            raise


@cache
def _raise(alias: str) -> str:
    version_model = apps.get_model("config", "ContentVersion")
    table, column = table_and_columns(version_model, "number", "id", connection=connections[alias])
    number = column["number"]
    return f"UPDATE {table} SET {number} = {number} + 1 WHERE {column['id']} = 1"  # noqa: S608


def _pending(connection: BaseDatabaseWrapper) -> bool:
    """Whether this connection's transaction holds content writes not yet committed."""
    return connection.in_atomic_block and any(
        isinstance(entry[1], _Committed) for entry in connection.run_on_commit
    )


def _watcher(alias: str) -> Callable:
    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if isinstance(sql, str) and _is_content_write(sql):
            connection = context["connection"]
            if not _pending(connection):
                if connection.in_atomic_block or connection.get_autocommit():
                    transaction.on_commit(_Committed(alias), using=alias, robust=True)
                else:  # manual transaction management (Agora has none): no commit to wait for
                    _moved_here()
        return result

    return watch


def watch(sender: Any, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """Receiver of `connection_created`: wrap the new connection's statements."""
    if not any(getattr(w, "__name__", "") == "watch" for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_watcher(connection.alias))


@cache
def _select(alias: str) -> str:
    version_model = apps.get_model("config", "ContentVersion")
    table, column = table_and_columns(version_model, "number", "id", connection=connections[alias])
    return f"SELECT {column['number']} FROM {table} WHERE {column['id']} = 1"  # noqa: S608


def current() -> tuple[int, int] | None:
    """The content's version as this process sees it now: one prepared statement.

    None while this thread's connection has content writes of its own not yet committed:
    then nothing is to be kept or taken from what is kept.
    """
    local = _local_version
    model = apps.get_model("config", "ContentVersion")
    alias = router.db_for_read(model)
    connection = connections[alias]
    if _pending(connection):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_select(alias))
        row = cursor.fetchone()
    if row is None:  # the row was deleted: put it back
        model.objects.using(alias).get_or_create(pk=1)
        return current()
    return local, row[0]


def key_for(version: tuple, key: tuple) -> str:
    return hashlib.blake2b(repr((version, key)).encode(), digest_size=16).hexdigest()


def remember[T](key: tuple, read: Callable[[], T], *, version: tuple | None = ...) -> T:
    """What `read()` returns, kept under `key` for as long as the content does not change.

    `version`: `current()`, when the caller has read it already (for a fragment's key too).
    """
    if version is ...:
        version = current()
    if version is None:
        return read()
    store = caches[CACHE]
    full_key = key_for(version, key)
    kept = store.get(full_key)
    if kept is None:
        kept = (read(),)
        store.set(full_key, kept, TIMEOUT)
    return kept[0]


def kept(full_key: str) -> Any:
    """What `keep` put under `full_key` (from `key_for`), or None."""
    return caches[CACHE].get(full_key)


def keep(full_key: str, value: Any) -> None:
    caches[CACHE].set(full_key, value, TIMEOUT)
