"""Model instances from SQL written once, for the few reads every trainee request makes.

The ORM builds a query's SQL afresh on every call. For the question page's reads that was
200–400 µs each on this machine, against about 30 µs for running the same SQL (BENCHMARKS.md,
sixth round), and those reads run on nearly every request. The SQL of such a read is kept here
as text made once from the models' metadata (so a renamed column follows), and its rows become
model instances with the same conversions the ORM applies: callers get ordinary objects.
Writes, and every read that is not on that hot path, stay with the ORM.
"""

from functools import cache

from django.db import connection


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model, alias: str) -> str:
    """`"quizzes_attempt" "a"`: the model's table under an alias, for a FROM or a JOIN."""
    return f"{quote(model._meta.db_table)} {quote(alias)}"


def column(model, alias: str, field_name: str) -> str:
    """`"a"."quiz_id"`: one field's column ("pk" too) under an alias, for a WHERE or an ON."""
    field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
    return f"{quote(alias)}.{quote(field.column)}"


@cache
def columns(model, alias: str) -> str:
    """Every column of the model, in field order, as `alias.column` for a SELECT list."""
    return ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in model._meta.concrete_fields)


def width(model) -> int:
    """How many columns `columns(model, ...)` selects: where the next model's columns start."""
    return len(model._meta.concrete_fields)


@cache
def _converters(model, vendor: str):
    """Per column, the expression and the functions the ORM would pass the value through."""
    result = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        steps = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        result.append((column, tuple(steps)))
    return tuple(result)


def instance(model, row, start: int = 0):
    """The model instance held in `row` from `start` on (columns selected by `columns`)."""
    values = []
    for offset, (column, steps) in enumerate(_converters(model, connection.vendor)):
        value = row[start + offset]
        for step in steps:
            value = step(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, None, values)


@cache
def _get_sql(model, fields: tuple[str, ...], lock: bool) -> str:
    sql = f"SELECT {columns(model, 't')} FROM {table(model, 't')}"
    if fields:
        sql += " WHERE " + " AND ".join(f"{column(model, 't', f)} = %s" for f in fields)
    if lock and connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql()
    return sql


def get(model, *, lock: bool = False, **equals):
    """The instance whose fields equal these values (unique, or the one row of a one-row
    table), or None. One query. `lock` holds its row until the transaction ends, where the
    database locks rows (SQLite locks the whole database for writing instead)."""
    row = fetch_one(_get_sql(model, tuple(equals), lock), list(equals.values()))
    return None if row is None else instance(model, row)


def with_related(obj, field_name: str, related):
    """`obj` with `related` as its `field_name`, as select_related leaves it: no query later."""
    type(obj)._meta.get_field(field_name).set_cached_value(obj, related)
    return obj


def _matchable(params) -> bool:
    """False if a whole number is past what any column holds (an id typed into a URL):
    no row can match it, and SQLite would refuse it with an error where the ORM finds none."""
    low, high = connection.ops.integer_field_range("BigIntegerField")
    return all(low <= p <= high for p in params if isinstance(p, int))


def fetch_one(sql: str, params) -> tuple | None:
    if not _matchable(params):
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params) -> list[tuple]:
    if not _matchable(params):
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
