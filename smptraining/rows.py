"""Model instances and rows from SQL made once, for the reads the trainee pages make.

The ORM builds a query's SQL afresh on every call. For the question page's reads that was
200–400 µs each on this machine, against about 30 µs for running the same SQL (BENCHMARKS.md,
sixth round), and those reads run on nearly every request. The SQL of such a read is made once:
written here as text from the models' metadata (so a renamed column follows), or compiled once
from the ORM query that states its rule (`Prepared`). Its rows become model instances or tuples
with the same conversions the ORM applies: callers get ordinary objects. Writes, and every read
off the trainee pages' path, stay with the ORM.
"""

from datetime import UTC, datetime, timedelta
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DateTimeField
from django.db.models.query import ModelIterable, ValuesListIterable


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
    return _run(sql, params, lambda cursor: cursor.fetchone())


def fetch_all(sql: str, params) -> list[tuple]:
    if not _matchable(params):
        return []
    return _run(sql, params, lambda cursor: cursor.fetchall())


def _run(sql: str, params, fetch):
    """Run the SQL on a cursor of the driver's own, as Django's would, with its checks.

    Django's cursor wrapper adds 15–20 µs a query (on SQLite most of it turning each `%s`
    into `?` by a regular expression, on every run). Where queries are being counted or
    wrapped (tests, debugging), they go through it as every other query does.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        if db.vendor == "sqlite":
            cursor = db.connection.cursor()
            sql = _qmarks(sql)
        else:
            cursor = db.create_cursor()
        try:
            cursor.execute(sql, params)
            return fetch(cursor)
        finally:
            cursor.close()


@cache
def _qmarks(sql: str) -> str:
    """The SQL with SQLite's placeholders, converted once by Django's own SQLite cursor."""
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    return SQLiteCursorWrapper.convert_query(None, sql)


# --- ORM queries compiled once ----------------------------------------------------------------

_INT_STAND_IN = 7_000_000_000_001  # far past any id, inside every integer column's range
_INSTANT_STAND_IN = datetime(2001, 1, 1, tzinfo=UTC)


def _stand_in(kind: type, index: int):
    if kind is int:
        return _INT_STAND_IN + 1_000 * index
    if kind is datetime:
        return _INSTANT_STAND_IN + timedelta(days=index + 1)
    raise TypeError(f"A prepared query takes ids and instants, not {kind.__name__}.")


def db_value(value):
    """A value as the ORM hands it to the database in a comparison with a column of its kind."""
    if isinstance(value, datetime):
        return _INSTANT_FIELD.get_db_prep_value(value, connection)
    return value


_INSTANT_FIELD = DateTimeField()


class Prepared:
    """An ORM query whose SQL is made once, then run with new ids and instants on each call.

    The query stays written with the ORM, in one place; `build(**values)` returns it. The first
    call builds it with stand-in values, compiles it, and finds the stand-ins among the
    compiled parameters: later calls put their own values in those places. So `build` must
    pass each value into the query as it is (a computed `now - delta` would not be found: say
    so with a value of its own), and a value is an id or an aware instant, never None (which
    compiles to `IS NULL`, another query). Returns tuples for a `values_list()` query, and
    model instances (their fields limited by `only()` if it says so, and a `select_related`
    foreign key loaded) for a model query.
    """

    def __init__(self, build):
        self.build = build
        self._compiled = {}

    def __call__(self, **values) -> list:
        kinds = tuple((name, type(value)) for name, value in values.items())
        key = (connection.vendor, kinds)
        compiled = self._compiled.get(key) or self._compiled.setdefault(key, self._compile(kinds))
        sql, slots, converters, make = compiled
        prepared = {name: db_value(value) for name, value in values.items()}
        params = [prepared[slot] if isinstance(slot, str) else slot[0] for slot in slots]
        results = []
        for row in fetch_all(sql, params):
            row = list(row)
            for position, (steps, expression) in converters:
                value = row[position]
                for step in steps:
                    value = step(value, expression, connection)
                row[position] = value
            results.append(make(row))
        return results

    def _compile(self, kinds):
        stand_ins = {name: _stand_in(kind, i) for i, (name, kind) in enumerate(kinds)}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        by_value = {db_value(value): name for name, value in stand_ins.items()}
        slots = tuple(by_value.get(p, (p,)) if _hashable(p) else (p,) for p in params)
        missing = set(stand_ins) - {s for s in slots if isinstance(s, str)}
        if missing:
            raise RuntimeError(f"The prepared query does not compare with {sorted(missing)}.")
        # The converters are the compiling thread's connection's; they read only settings
        # through it, which every thread shares, and each call passes its own connection.
        selected = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        converters = tuple(compiler.get_converters(selected).items())
        return sql, slots, converters, _maker(queryset, compiler)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _maker(queryset, compiler):
    """How a converted row becomes a result: a tuple, or an instance with its related one."""
    if queryset._iterable_class is ValuesListIterable:
        names = [*queryset.query.values_select, *queryset.query.annotation_select]
        if list(queryset._fields) != names[: len(queryset._fields)] or queryset.query.extra_select:
            raise ValueError("List the values in the order the query selects them.")
        width = compiler.col_count
        return lambda row: tuple(row[:width])
    if queryset._iterable_class is not ModelIterable or compiler.annotation_col_map:
        raise ValueError("A prepared query reads values_list() rows or plain model instances.")
    select = compiler.select
    info = compiler.klass_info

    def loading(part):
        """The model, its selected positions and their attribute names (fewer with only())."""
        fields = part["select_fields"]
        return part["model"], fields, [select[i][0].target.attname for i in fields]

    model, fields, names = loading(info)
    related = []
    for part in info.get("related_klass_infos", ()):
        if part["reverse"] or part.get("related_klass_infos"):
            raise ValueError("A prepared query follows forward foreign keys one step only.")
        rel_model, rel_fields, rel_names = loading(part)
        pk = rel_fields[rel_names.index(rel_model._meta.pk.attname)]
        related.append((rel_model, rel_fields, rel_names, pk, part["local_setter"]))

    def make(row):
        obj = model.from_db(connection.alias, names, [row[i] for i in fields])
        for rel_model, rel_fields, rel_names, pk, setter in related:
            found = row[pk] is not None
            values = [row[i] for i in rel_fields]
            setter(obj, rel_model.from_db(connection.alias, rel_names, values) if found else None)
        return obj

    return make
