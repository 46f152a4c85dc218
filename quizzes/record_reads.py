"""The reads of completion records that the verify page, the Open Badges JSON and My records
make, as SQL written once (smptraining/rows.py says why).

Each record comes with `current_status` as `with_status(now)` annotates it: the status rule
stays written once, in `models.status_case`, compiled here into the SQL. Each returns
what the ORM query it replaces returned (tests/test_record_reads.py compares them).
"""

from datetime import UTC, datetime
from functools import cache

from django.db import connection

from smptraining.rows import (
    column,
    columns,
    db_value,
    fetch_all,
    instance,
    table,
    width,
    with_related,
)

from .models import CompletionRecord, Quiz, status_bounds, status_case

# The status rule's SQL names the record table's columns by the table's own name.
R = CompletionRecord._meta.db_table


# Two instants compiled into the rule in place of its real ones, then found among the compiled
# parameters and replaced on each read. Distinct from each other and from the rule's constants.
_STAND_INS = (datetime(2001, 1, 1, tzinfo=UTC), datetime(2002, 2, 2, tzinfo=UTC))


@cache
def _compiled_status(vendor: str) -> tuple[str, tuple]:
    """The rule's SQL, and per parameter either the index of its instant or the constant."""
    query = CompletionRecord.objects.all().query
    expression = status_case(*_STAND_INS).resolve_expression(query, allow_joins=False)
    sql, params = query.get_compiler(connection=connection).compile(expression)
    stand_ins = [db_value(s) for s in _STAND_INS]
    slots = tuple(stand_ins.index(p) if p in stand_ins else (p,) for p in params)
    # A rule that stopped passing its instants through as they are would otherwise keep the
    # stand-ins, and every record would read as valid.
    if {0, 1} - set(slots):
        raise RuntimeError("The record-status rule no longer compares with both its instants.")
    return sql, slots


def status_sql(now) -> tuple[str, list]:
    """`status_expression(now)` as SQL over the record table's columns, and its parameters.

    Compiling the expression costs more than the query it sits in, so it is compiled once."""
    sql, slots = _compiled_status(connection.vendor)
    instants = [db_value(b) for b in status_bounds(now)]
    return sql, [slot[0] if isinstance(slot, tuple) else instants[slot] for slot in slots]


@cache
def _after_status(where: str, order: str, with_quiz: bool) -> str:
    """The query after `SELECT <status>, `: the record's (and its quiz's) columns, the rest."""
    if not with_quiz:
        return (
            f"{columns(CompletionRecord, R)} FROM {table(CompletionRecord, R)} WHERE {where}{order}"
        )
    return (
        f"{columns(CompletionRecord, R)}, {columns(Quiz, 'q')}"
        f" FROM {table(CompletionRecord, R)} JOIN {table(Quiz, 'q')}"
        f" ON {column(Quiz, 'q', 'id')} = {column(CompletionRecord, R, 'quiz')}"
        f" WHERE {where}{order}"
    )


def _records(where: str, params: list, now, order: str = "", quiz=None) -> list[CompletionRecord]:
    """Records with their status; each with its quiz, read with it unless `quiz` is given."""
    status, status_params = status_sql(now)
    sql = f"SELECT {status}, {_after_status(where, order, quiz is None)}"
    records = []
    for row in fetch_all(sql, [*status_params, *params]):
        record = instance(CompletionRecord, row, 1)
        record.current_status = row[0]
        read = quiz or instance(Quiz, row, 1 + width(CompletionRecord))
        records.append(with_related(record, "quiz", read))
    return records


def record_by_code(code: str, now) -> CompletionRecord | None:
    """The record with this verification code, its status at `now` and its quiz. One query."""
    found = _records(f"{column(CompletionRecord, R, 'verification_code')} = %s", [code], now)
    return found[0] if found else None


def holders_records(trainee_id: int, quiz_id: int | None, now) -> list[CompletionRecord]:
    """The holder's records, each with its status at `now` and its quiz: of one quiz oldest
    first, or (quiz_id None) of every quiz newest first. One query."""
    trainee = f"{column(CompletionRecord, R, 'trainee')} = %s"
    issued = column(CompletionRecord, R, "issued_at")
    if quiz_id is None:
        return _records(trainee, [trainee_id], now, f" ORDER BY {issued} DESC")
    where = f"{trainee} AND {column(CompletionRecord, R, 'quiz')} = %s"
    return _records(where, [trainee_id, quiz_id], now, f" ORDER BY {issued}")


def attempts_record(attempt, now) -> CompletionRecord | None:
    """The record issued for this attempt, if any, with its status at `now`; its quiz is the
    attempt's (loaded). One query."""
    where = f"{column(CompletionRecord, R, 'attempt')} = %s"
    found = _records(where, [attempt.pk], now, quiz=attempt.quiz)
    return found[0] if found else None
