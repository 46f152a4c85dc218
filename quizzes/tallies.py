"""Running totals of the graded responses, for the instructor pages (item analysis, cohort).

Those pages would otherwise add up every response at each view (seconds at a million
responses). The tallies hold the same sums, grouped finely enough that every figure stays
exact: per quiz, month of submission and topic for cohort mastery; per quiz, question and
version for the item analysis, and per quiz, question and attempt score for its
discrimination, whose upper and lower groups are ranges of scores. Credit is added up in
millionths of a question (earned is kept to six decimals), as integers, so no rounding creeps
in however many responses are added.

Each graded attempt is added once, in the transaction that grades it: `submit_attempt`, and
the load-data generator's bulk inserts. Nothing else grades, re-grades or deletes a graded
attempt: the admin shows attempts read-only, a deleted account leaves its attempts in place,
and quizzes and questions that were drawn cannot be deleted. `rebuild` recomputes every tally
from the responses: the migration that brought the tallies, and `manage.py
rebuild_insight_tallies`.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.apps import apps as installed_apps
from django.db import connection, transaction
from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Sum,
    Value,
)
from django.db.models.functions import Round

from .models import CREDIT_SCALE, MAX_CHOICES

BATCH = 500  # rows per INSERT: 16 columns each stays far below SQLite's 32,766 parameters
TOPIC_KEY = ("quiz", "month", "topic")
ITEM_KEY = ("quiz", "question", "version")
SCORE_KEY = ("quiz", "question", "score")
PICKS = tuple(f"picked_{i}" for i in range(MAX_CHOICES))
TALLIES = ("TopicTally", "ItemTally", "ScoreTally")


def credit_units(earned: float | None) -> int:
    """A response's credit in millionths of a question, as the tallies add it up."""
    return round((earned or 0) * CREDIT_SCALE)


def month_of(moment: datetime) -> date:
    """The first day of the moment's month in UTC (cohort months are UTC months)."""
    return moment.astimezone(UTC).date().replace(day=1)


# --- Adding graded attempts --------------------------------------------------------------------


def add_graded(graded: Iterable[tuple]) -> None:
    """Add graded attempts to the tallies: three statements per 500 tally rows touched.

    `graded` holds (attempt, drawn questions) pairs: the attempt's quiz_id, score and
    submitted_at, and each drawn question's question_id, version, topic_id, earned and
    selected, as graded. Runs inside the caller's transaction, the one that grades them.
    """
    topics: dict[tuple, dict] = {}
    items: dict[tuple, dict] = {}
    scores: dict[tuple, dict] = {}
    for attempt, drawn in graded:
        month = month_of(attempt.submitted_at)
        for row in drawn:
            units = credit_units(row.earned)
            topic = topics.setdefault(
                (attempt.quiz_id, month, row.topic_id), {"responses": 0, "credit": 0}
            )
            topic["responses"] += 1
            topic["credit"] += units
            score = scores.setdefault(
                (attempt.quiz_id, row.question_id, attempt.score), {"responses": 0, "credit": 0}
            )
            score["responses"] += 1
            score["credit"] += units
            key = (attempt.quiz_id, row.question_id, row.version)
            item = items.get(key)
            if item is None:
                item = items[key] = {
                    "responses": 0,
                    "credit": 0,
                    "newest_attempt_id": 0,
                    "sample_id": 0,
                    **dict.fromkeys(PICKS, 0),
                }
            item["responses"] += 1
            item["credit"] += units
            item["newest_attempt_id"] = max(item["newest_attempt_id"], attempt.id)
            item["sample_id"] = max(item["sample_id"], row.id)
            for i, name in enumerate(PICKS):
                if row.selected is not None and row.selected >> i & 1:
                    item[name] += 1
    TopicTally, ItemTally, ScoreTally = _models(installed_apps)
    _add(TopicTally, TOPIC_KEY, topics, sums=("responses", "credit"))
    _add(ScoreTally, SCORE_KEY, scores, sums=("responses", "credit"))
    _add(
        ItemTally,
        ITEM_KEY,
        items,
        sums=("responses", "credit", *PICKS),
        maxima=("newest_attempt_id", "sample_id"),
    )


def _add(model, key: tuple[str, ...], rows: dict[tuple, dict], *, sums, maxima=()) -> None:
    """Add each row's sums to the row of its key, creating it if new.

    Django's bulk_create(update_conflicts=True) can only overwrite a total, not add to it,
    hence the SQL (INSERT ... ON CONFLICT DO UPDATE, the same on SQLite and PostgreSQL; one
    statement per batch). Rows go in key order, so two graders that share rows lock them in
    the same order and never deadlock on PostgreSQL.
    """
    if not rows:
        return
    opts = model._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    names = (*key, *sums, *maxima)
    fields = [opts.get_field(name) for name in names]
    column = {name: quote(field.column) for name, field in zip(names, fields, strict=True)}
    updates = [f"{column[n]} = {table}.{column[n]} + excluded.{column[n]}" for n in sums] + [
        f"{column[n]} = CASE WHEN excluded.{column[n]} > {table}.{column[n]} "
        f"THEN excluded.{column[n]} ELSE {table}.{column[n]} END"
        for n in maxima
    ]
    row_marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    with connection.cursor() as cursor:
        ordered = sorted(rows.items())
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start : start + BATCH]
            params = []
            for key_values, values in batch:
                row = dict(zip(key, key_values, strict=True)) | values
                params += [
                    field.get_db_prep_save(row[name], connection)
                    for name, field in zip(names, fields, strict=True)
                ]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(column.values())}) "
                f"VALUES {', '.join([row_marks] * len(batch))} "
                f"ON CONFLICT ({', '.join(column[n] for n in key)}) "
                f"DO UPDATE SET {', '.join(updates)}",
                params,
            )


# --- Rebuilding from the responses -------------------------------------------------------------


class YearMonth(Func):
    """'YYYY-MM' of a moment in UTC, computed natively by the database.

    TruncMonth runs a Python function per row on SQLite; over 750,000 responses that alone
    takes seconds, and even strftime's parsing costs a third of the query there.
    """

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps moments in SQLite as UTC text, "YYYY-MM-DD HH:MM:SS...": the month is
        # its first seven characters, cheaper to cut than strftime is to parse.
        return self.as_sql(
            compiler, connection, function="substr", template="%(function)s(%(expressions)s, 1, 7)"
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            function="to_char",
            template="%(function)s(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM')",
            **extra,
        )


def _models(apps):
    return tuple(apps.get_model("quizzes", name) for name in TALLIES)


def _counted_from_responses(apps) -> tuple[list, list]:
    """Every tally row as the graded responses make it, unsaved. Three passes over them."""
    TopicTally, ItemTally, ScoreTally = _models(apps)
    graded = apps.get_model("quizzes", "DrawnQuestion").objects.filter(
        attempt__submitted_at__isnull=False
    )
    units = Sum(Round(F("earned") * CREDIT_SCALE))
    topics = [
        TopicTally(
            quiz_id=row["attempt__quiz_id"],
            month=date(int(row["month"][:4]), int(row["month"][5:7]), 1),
            topic_id=row["topic_id"],
            responses=row["responses"],
            credit=int(row["credit"] or 0),
        )
        for row in graded.annotate(month=YearMonth("attempt__submitted_at"))
        .values("attempt__quiz_id", "month", "topic_id")
        .annotate(responses=Count("id"), credit=units)
        .order_by()
    ]
    picks = {
        name: Sum(
            ExpressionWrapper(
                F("selected").bitand(1 << i) / Value(1 << i), output_field=IntegerField()
            )
        )
        for i, name in enumerate(PICKS)
    }
    items = [
        ItemTally(
            quiz_id=row["attempt__quiz_id"],
            question_id=row["question_id"],
            version=row["version"],
            responses=row["responses"],
            credit=int(row["credit"] or 0),
            newest_attempt_id=row["newest_attempt_id"],
            sample_id=row["sample_id"],
            **{name: row[name] or 0 for name in PICKS},
        )
        for row in graded.values("attempt__quiz_id", "question_id", "version")
        .annotate(
            responses=Count("id"),
            credit=units,
            newest_attempt_id=Max("attempt_id"),
            sample_id=Max("id"),
            **picks,
        )
        .order_by()
    ]
    scores = [
        ScoreTally(
            quiz_id=row["attempt__quiz_id"],
            question_id=row["question_id"],
            score=row["attempt__score"],
            responses=row["responses"],
            credit=int(row["credit"] or 0),
        )
        for row in graded.values("attempt__quiz_id", "question_id", "attempt__score")
        .annotate(responses=Count("id"), credit=units)
        .order_by()
    ]
    return {TopicTally: topics, ItemTally: items, ScoreTally: scores}


def _hold_grading_back(apps) -> None:
    """On PostgreSQL, make graders wait until the transaction ends (SQLite's writers take
    turns anyway): an attempt graded meanwhile is then added after the rebuild, not lost in it.
    """
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in _models(apps))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


@transaction.atomic
def rebuild(*, apps=installed_apps) -> dict[str, int]:
    """Recompute every tally from the graded responses; return how many rows each holds.

    `apps` is a migration's historical registry when a migration calls it.
    """
    _hold_grading_back(apps)
    for model in _models(apps):
        model.objects.all().delete()
    counted = _counted_from_responses(apps)
    for model, rows in counted.items():
        model.objects.bulk_create(rows, batch_size=BATCH)
    return {model.__name__: len(rows) for model, rows in counted.items()}


KEYS = {"TopicTally": TOPIC_KEY, "ItemTally": ITEM_KEY, "ScoreTally": SCORE_KEY}
FIGURES = {
    "TopicTally": ("responses", "credit"),
    "ItemTally": ("responses", "credit", "newest_attempt_id", "sample_id", *PICKS),
    "ScoreTally": ("responses", "credit"),
}


def differences(*, apps=installed_apps) -> list[str]:
    """Where the stored tallies differ from the responses, one line each; [] when they agree."""
    found = []
    for model, expected in _counted_from_responses(apps).items():
        key, figures = KEYS[model.__name__], FIGURES[model.__name__]
        attnames = [model._meta.get_field(name).attname for name in key]

        def figures_by_key(rows, attnames=attnames, figures=figures):
            return {
                tuple(getattr(r, a) for a in attnames): tuple(getattr(r, f) for f in figures)
                for r in rows
            }

        want = figures_by_key(expected)
        have = figures_by_key(model.objects.all())
        for row_key in sorted(want.keys() | have.keys(), key=str):
            if want.get(row_key) != have.get(row_key):
                found.append(
                    f"{model.__name__} {row_key}: stored {have.get(row_key)}, "
                    f"responses say {want.get(row_key)}"
                )
    return found
