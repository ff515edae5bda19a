"""Model instances from fixed SQL on hot paths, where compiling ORM queries costs the most."""

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


@functools.cache
def _loader(vendor: str, model: type[Model], attnames: tuple[str, ...]) -> tuple[list, list[str]]:
    """Each column's converters, and the field names in the model's order (from_db wants it)."""
    columns = [model._meta.get_field(name).get_col(model._meta.db_table) for name in attnames]
    converters = [
        (column, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        for column in columns
    ]
    ordered = [f.attname for f in model._meta.concrete_fields if f.attname in attnames]
    return converters, ordered


def load_model(model: type[M], attnames: tuple[str, ...], values: Sequence[Any]) -> M:
    """A model instance from a row of raw values, as the ORM would build it.

    The fields' own converters apply; fields not read load on first use, as with only().
    """
    converters, ordered = _loader(connection.vendor, model, attnames)
    converted = {}
    for name, value, (column, convert_all) in zip(attnames, values, converters, strict=True):
        for convert in convert_all:
            value = convert(value, column, connection)
        converted[name] = value
    return model.from_db(connection.alias, ordered, [converted[name] for name in ordered])


def fetch(sql: str, params: list[Any], *, many: bool = False) -> Any:
    """One row (or all rows) of a fixed statement."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if many else cursor.fetchone()


def columns(alias: str, attnames: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{name}" for name in attnames)


@functools.cache
def _insert_sql(vendor: str, model: type[Model]) -> tuple[str, tuple]:
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)}"  # noqa: S608
        f" ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(model._meta.pk.column)}"
    )
    return sql, fields


def insert(instance: Model) -> None:
    """Save a new instance in one fixed INSERT, as the ORM would (pre_save, prep), setting its pk.

    Constraint violations raise IntegrityError as with save(). No signals are sent.
    """
    sql, fields = _insert_sql(connection.vendor, type(instance))
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    instance.pk = fetch(sql, values)[0]
    instance._state.adding = False
    instance._state.db = connection.alias
