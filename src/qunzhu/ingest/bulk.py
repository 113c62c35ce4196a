"""Bulk INSERT/UPDATE with executemany, for the import hot path.

The ORM's ``bulk_update`` builds one CASE expression per row and field, and ``bulk_create``
resolves expressions per value; on an import of a million messages that overhead is most of
the time. These helpers send parameter rows straight to the driver (sqlite3 or psycopg),
which both run prepared statements over the rows. Values must already be adapted for the
database: use :func:`adapt_datetime` and :func:`adapt_json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connection
from django.db.models import Field, Model


def columns(model: type[Model], *fields: str) -> list[str]:
    names = []
    for name in fields:
        field = model._meta.get_field(name)
        if not isinstance(field, Field):
            raise TypeError(f"{model.__name__}.{name} is not a concrete column")
        names.append(str(field.column))
    return names


def adapt_datetime(value: datetime | None) -> Any:
    """A datetime as the backend stores it (SQLite: UTC text, like Django writes it)."""
    if value is None or connection.vendor != "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def adapt_json(value: Any) -> Any:
    if connection.vendor == "sqlite":
        return orjson.dumps(value).decode()
    return connection.ops.adapt_json_value(value, None)


def insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *,
           conflict: Sequence[str] = ()) -> int:
    """INSERT many rows; with ``conflict`` (a unique field set) duplicates are skipped.
    Returns how many rows were inserted."""
    if not rows:
        return 0
    cols = columns(model, *fields)
    quote = connection.ops.quote_name
    # names come from model metadata, quoted; values travel as parameters
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(map(quote, cols))}) "  # noqa: S608
    sql += f"VALUES ({', '.join(['%s'] * len(cols))})"
    if conflict:
        sql += f" ON CONFLICT ({', '.join(map(quote, columns(model, *conflict)))}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return int(cursor.rowcount)


def update(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE rows by primary key; each row is (*values of fields, pk)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(c)} = %s" for c in columns(model, *fields))
    pk = quote(str(model._meta.pk.column))
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {pk} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
