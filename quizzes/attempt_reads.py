"""The reads of an attempt that every question page and answer save makes, as SQL written once.

Each returns what the ORM query it replaces returned (tests/test_attempt_reads.py compares
them); smptraining/rows.py says why they are not ORM queries.
"""

from functools import cache

from django.db import connection

from smptraining.rows import column, columns, fetch_all, fetch_one, instance, table, width

from .models import Attempt, DrawnQuestion, Quiz


@cache
def _trainee_attempt_sql() -> str:
    return (
        f"SELECT {columns(Attempt, 'a')}, {columns(Quiz, 'q')}"
        f" FROM {table(Attempt, 'a')} JOIN {table(Quiz, 'q')}"
        f" ON {column(Quiz, 'q', 'id')} = {column(Attempt, 'a', 'quiz')}"
        f" WHERE {column(Attempt, 'a', 'id')} = %s AND {column(Attempt, 'a', 'trainee')} = %s"
    )


def trainee_attempt(attempt_id: int, trainee_id: int) -> Attempt | None:
    """The attempt with its quiz, if it is this trainee's. One query."""
    row = fetch_one(_trainee_attempt_sql(), [attempt_id, trainee_id])
    if row is None:
        return None
    attempt = instance(Attempt, row)
    Attempt._meta.get_field("quiz").set_cached_value(attempt, instance(Quiz, row, width(Attempt)))
    return attempt


@cache
def _locked_attempt_sql() -> str:
    sql = (
        f"SELECT {columns(Attempt, 'a')} FROM {table(Attempt, 'a')}"
        f" WHERE {column(Attempt, 'a', 'id')} = %s"
    )
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql()
    return sql


def locked_attempt(attempt_id: int) -> Attempt:
    """The attempt, its row locked until the transaction ends (SQLite locks the whole
    database for writing instead). One query. Raises Attempt.DoesNotExist as `get()` would."""
    row = fetch_one(_locked_attempt_sql(), [attempt_id])
    if row is None:
        raise Attempt.DoesNotExist(f"No attempt {attempt_id}.")
    return instance(Attempt, row)


@cache
def _drawn_sql() -> str:
    return (
        f"SELECT {columns(DrawnQuestion, 'd')} FROM {table(DrawnQuestion, 'd')}"
        f" WHERE {column(DrawnQuestion, 'd', 'attempt')} = %s"
        f" AND {column(DrawnQuestion, 'd', 'position')} = %s"
    )


def drawn_question(attempt_id: int, position: int) -> DrawnQuestion | None:
    """The attempt's drawn question at this position. One query."""
    row = fetch_one(_drawn_sql(), [attempt_id, position])
    return None if row is None else instance(DrawnQuestion, row)


@cache
def _navigator_sql() -> str:
    selected = column(DrawnQuestion, "d", "selected")
    return (
        f"SELECT {column(DrawnQuestion, 'd', 'position')},"
        f" CASE WHEN {selected} IS NULL THEN 0 ELSE 1 END"
        f" FROM {table(DrawnQuestion, 'd')}"
        f" WHERE {column(DrawnQuestion, 'd', 'attempt')} = %s"
        f" ORDER BY {column(DrawnQuestion, 'd', 'position')}"
    )


def navigator(attempt_id: int) -> list[tuple[int, bool]]:
    """(position, answered) for every drawn question of the attempt, in order. One query."""
    return [
        (position, bool(answered))
        for position, answered in fetch_all(_navigator_sql(), [attempt_id])
    ]
