"""The attempt workflows: start, answer, submit, close expired. Each runs in one transaction."""

import hashlib
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Case, FloatField, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smptraining.rows import Prepared

from . import attempt_reads, audit, tallies
from .grading import TopicScore, Verdict, earned_for, judge
from .models import (
    Attempt,
    AttemptOverride,
    DrawnQuestion,
    DrawRule,
    Question,
    Quiz,
    ReviewItem,
    ReviewMoment,
)
from .records import issue_record, renewal_windows


class AttemptRefused(Exception):
    """A workflow said no; the message is for the trainee."""


class CertificationInProgress(AttemptRefused):
    """Practice is closed while a certification attempt is open: it would show its items."""

    def __init__(self, attempt: Attempt):
        super().__init__(
            _("Finish your certification attempt first: practice opens again once it is submitted.")
        )
        self.attempt = attempt


# Compiled once (smptraining/rows.py): every practice question page and result page asks.
_open_certifications = Prepared(
    lambda trainee: Attempt.objects.filter(
        trainee=trainee, submitted_at=None, quiz__purpose=Quiz.Purpose.CERTIFICATION
    ).select_related("quiz")
)


def open_certification(trainee, now: datetime) -> Attempt | None:
    """The trainee's certification attempt in progress (not past its deadline), if any.
    `trainee` may be a user or its id. One query."""
    for attempt in _open_certifications(trainee=getattr(trainee, "pk", trainee)):
        if not attempt.is_past_deadline(now):
            return attempt
    return None


def practice_paused(attempt: Attempt, now: datetime) -> Attempt | None:
    """The open certification that keeps this practice attempt's items out of sight, if any.

    One query for a practice attempt, none for a certification.
    """
    return None if attempt.quiz.is_certification else exam_in_progress(attempt, now)


def exam_in_progress(attempt: Attempt, now: datetime) -> Attempt | None:
    """Another certification attempt of this trainee that is open now, if any. One query."""
    current = open_certification(attempt.trainee_id, now)
    return current if current is not None and current.pk != attempt.pk else None


def _refuse_practice_during_certification(quiz: Quiz, trainee, now: datetime) -> None:
    """`trainee` may be a user or its id."""
    if quiz.is_certification:
        return
    current = open_certification(trainee, now)
    if current is not None:
        raise CertificationInProgress(current)


# --- Starting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartCheck:
    """Whether a trainee may start a quiz now; `attempts_left` is None for an unlimited quiz."""

    allowed: bool
    reason: str = ""
    attempts_used: int = 0
    attempts_left: int | None = None
    ready_at: datetime | None = None  # when a cooldown ends
    attempts_allowed: int | None = None  # the quiz's limit plus any extra attempts granted


# Compiled once (smptraining/rows.py): the quiz list, the quiz page and the result page ask
# the start rule on every view. A trainee has few of either, so no list of quizzes goes in.
_limited_attempts = Prepared(
    lambda trainee: Attempt.objects.filter(
        trainee=trainee, quiz__in=Quiz.objects.filter(Quiz.LIMITED)
    ).values_list("quiz_id", "started_at", "submitted_at")
)
_overrides = Prepared(lambda trainee: AttemptOverride.objects.filter(trainee=trainee))


def start_checks(quizzes: list[Quiz], trainee, now: datetime) -> dict[int, StartCheck]:
    """The attempt limit, renewal window and cooldown of each quiz for this trainee, by quiz id.

    The one place that rule lives: the quiz list, the quiz page, the result page and starting
    all ask it. An instructor's override for the trainee (extra attempts, a lifted cooldown)
    counts here. Three queries for any number of quizzes; none when no quiz has a limit or a
    cooldown.
    """
    limited = [quiz for quiz in quizzes if quiz.is_limited]
    if not limited:
        return {quiz.id: StartCheck(True) for quiz in quizzes}
    trainee_id = getattr(trainee, "pk", trainee)
    windows = renewal_windows(limited, trainee_id, now)
    history: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for quiz_id, started_at, submitted_at in _limited_attempts(trainee=trainee_id):
        history[quiz_id].append((started_at, submitted_at))
    overrides = {o.quiz_id: o for o in _overrides(trainee=trainee_id)}
    return {
        quiz.id: _start_check(
            quiz, history[quiz.id], windows.get(quiz.id), overrides.get(quiz.id), now
        )
        for quiz in quizzes
    }


def check_can_start(quiz: Quiz, trainee, now: datetime) -> StartCheck:
    """`start_checks` for one quiz."""
    return start_checks([quiz], trainee, now)[quiz.id]


def _start_check(quiz, history, renewal_opened, override, now) -> StartCheck:
    counted = [s for s, _ in history if renewal_opened is None or s >= renewal_opened]
    used = len(counted)
    allowed = None
    if quiz.max_attempts is not None:
        allowed = quiz.max_attempts + (override.extra_attempts if override else 0)
    left = None if allowed is None else max(0, allowed - used)
    if left == 0:
        return StartCheck(
            False,
            ngettext(
                "You have used your %(n)d attempt at this quiz.",
                "You have used all %(n)d attempts at this quiz.",
                allowed,
            )
            % {"n": allowed},
            used,
            left,
            attempts_allowed=allowed,
        )
    lifted = override.cooldown_lifted_at if override else None
    last_submitted = max(
        (s for _, s in history if s is not None and (lifted is None or s > lifted)), default=None
    )
    if quiz.cooldown_minutes and last_submitted:
        ready_at = last_submitted + timedelta(minutes=quiz.cooldown_minutes)
        if now < ready_at:
            minutes = int((ready_at - now).total_seconds() // 60) + 1
            return StartCheck(
                False,
                ngettext(
                    "Attempts at this quiz are spaced out: you can start again in %(m)d minute.",
                    "Attempts at this quiz are spaced out: you can start again in %(m)d minutes.",
                    minutes,
                )
                % {"m": minutes},
                used,
                left,
                ready_at,
                allowed,
            )
    return StartCheck(True, "", used, left, attempts_allowed=allowed)


def topic_floors(rules: list[DrawRule]) -> dict[str, int]:
    """The floors the draw rules set per topic (by topic id as text), for the attempt to keep."""
    return {str(rule.topic_id): rule.floor for rule in rules if rule.floor is not None}


def _fixed_question_ids(quiz: Quiz) -> list[int]:
    """The fixed questions an attempt asks: active ones the quiz's purpose may show. One query."""
    return list(
        quiz.fixed_questions.filter(active=True).for_quiz(quiz).values_list("id", flat=True)
    )


def questions_per_attempt(quiz: Quiz, rules: list[DrawRule]) -> int:
    """How many questions an attempt at the quiz holds. One query."""
    return len(_fixed_question_ids(quiz)) + sum(rule.count for rule in rules)


def _draw(quiz: Quiz, rules: list[DrawRule], rng: random.Random) -> list[Question]:
    """Draw the quiz's questions by its rules. Three queries, whatever the bank's size."""
    fixed = _fixed_question_ids(quiz)
    pools: dict[int, list[int]] = {rule.topic_id: [] for rule in rules}
    for question_id, topic_id in (
        Question.objects.filter(active=True, topic_id__in=pools)
        .for_quiz(quiz)
        .values_list("id", "topic_id")
    ):
        if question_id not in fixed:
            pools[topic_id].append(question_id)
    chosen = list(fixed)
    for rule in rules:
        pool = pools[rule.topic_id]
        if len(pool) < rule.count:
            raise AttemptRefused(
                _(
                    "This quiz cannot be started: the topic “%(topic)s” has too few active "
                    "questions. Please tell your instructor."
                )
                % {"topic": rule.topic.name}
            )
        chosen += rng.sample(sorted(pool), rule.count)
    return _load_for_snapshot(chosen)


def _load_for_snapshot(question_ids: list[int]) -> list[Question]:
    """Load questions with topic and choices, keeping the given order. Two queries."""
    by_id = {
        q.id: q
        for q in Question.objects.filter(id__in=question_ids)
        .select_related("topic")
        .prefetch_related("choices")
    }
    return [by_id[i] for i in question_ids if i in by_id]


def question_version(prompt: str, choices: list[dict], correct: int) -> str:
    """A short fingerprint of a question's wording, choices and key as drawn."""
    text = json.dumps([prompt, [c["text"] for c in choices], correct], ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def drawn_snapshot(question: Question, *, shuffle_choices: bool, rng) -> DrawnQuestion:
    """The question as it is now, frozen for one attempt: prompt, choices, key and version.

    Unsaved and without attempt or position. Real attempts and the load-data generator both
    take their drawn questions from here, so benchmark data is what trainees get. Needs the
    question's topic and choices loaded (no queries).
    """
    choices = list(question.choices.all())
    order = list(range(len(choices)))
    if shuffle_choices and question.kind != Question.Kind.TRUE_FALSE:
        rng.shuffle(order)
    snapshot = [{"text": c.text, "feedback": c.feedback} for c in choices]
    correct = sum(1 << i for i, c in enumerate(choices) if c.is_correct)
    return DrawnQuestion(
        question=question,
        topic=question.topic,
        topic_name=question.topic.name,
        kind=question.kind,
        prompt=question.prompt,
        explanation=question.explanation,
        source=question.source_label(),
        image=question.image.name or "",
        image_alt=question.image_alt,
        critical=question.critical,
        secure=question.usage == Question.Usage.CERTIFICATION,
        choices=snapshot,
        display_order=order,
        correct=correct,
        version=question_version(question.prompt, snapshot, correct),
    )


def _snapshot(attempt: Attempt, questions: list[Question], quiz: Quiz, rng) -> list[DrawnQuestion]:
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    else:
        questions.sort(key=lambda q: (q.topic.order, q.topic_id, q.id))
    drawn = []
    for position, question in enumerate(questions, start=1):
        row = drawn_snapshot(question, shuffle_choices=quiz.shuffle_choices, rng=rng)
        row.attempt = attempt
        row.position = position
        drawn.append(row)
    return drawn


def _create_attempt(
    quiz, trainee, now, questions, rng, *, missed_practice=False, topic_floors=None, extra_minutes=0
) -> Attempt:
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes + extra_minutes)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                trainee=trainee,
                quiz=quiz,
                started_at=now,
                deadline=deadline,
                pass_mark=quiz.pass_mark,
                topic_floor=quiz.topic_floor,
                topic_floors=topic_floors or {},
                question_count=len(questions),
                is_missed_practice=missed_practice,
            )
            DrawnQuestion.objects.bulk_create(_snapshot(attempt, questions, quiz, rng))
    except IntegrityError:
        # The partial unique constraint: another request started this quiz a moment ago.
        raise AttemptRefused(_("You already have this quiz in progress.")) from None
    return attempt


def open_attempt(quiz: Quiz, trainee) -> Attempt | None:
    return Attempt.objects.filter(quiz=quiz, trainee=trainee, submitted_at=None).first()


def lock_trainee(trainee) -> None:
    """Hold the trainee's row until the transaction ends. One query."""
    list(get_user_model().objects.select_for_update().filter(pk=trainee.pk).values_list("pk"))


@transaction.atomic
def start_attempt(*, quiz: Quiz, trainee, now: datetime, rng=None) -> Attempt:
    """Start a new attempt, or return the one in progress; refuse past the limit or cooldown.

    The trainee's row is locked first: the limit is a count of attempts followed by an insert,
    so two starts at once must take turns or both would see one attempt left. (On SQLite the
    IMMEDIATE transaction already makes writers take turns.)
    """
    rng = rng or random.SystemRandom()
    lock_trainee(trainee)
    _refuse_practice_during_certification(quiz, trainee, now)
    current = open_attempt(quiz, trainee)
    if current is not None:
        if not current.is_past_deadline(now):
            return current
        submit_attempt(attempt=current, now=now)
    check = check_can_start(quiz, trainee, now)
    if not check.allowed:
        raise AttemptRefused(check.reason)
    rules = list(quiz.draw_rules.select_related("topic"))
    questions = _draw(quiz, rules, rng)
    if not questions:
        raise AttemptRefused(_("This quiz has no questions yet."))
    override = AttemptOverride.objects.filter(trainee=trainee, quiz=quiz).first()
    return _create_attempt(
        quiz,
        trainee,
        now,
        questions,
        rng,
        topic_floors=topic_floors(rules),
        extra_minutes=override.extra_minutes if override else 0,
    )


# --- Answering --------------------------------------------------------------------------------


def parse_selection(drawn: DrawnQuestion, values: list[str]) -> int | None:
    """Turn the posted choices into a mask, or raise AttemptRefused for a tampered value.

    The browser posts each choice's place on the page (1, 2, 3…), never its place in the
    question, so the markup says nothing about which choice is which.
    """
    if not values:
        return None
    try:
        places = {int(value) for value in values}
    except (TypeError, ValueError):
        places = {0}
    if any(p < 1 or p > len(drawn.display_order) for p in places) or (
        drawn.kind != Question.Kind.MULTIPLE and len(places) > 1
    ):
        raise AttemptRefused(
            _(
                "That answer does not belong to this question; nothing was saved. Please choose "
                "again."
            )
        )
    return sum(1 << drawn.display_order[p - 1] for p in places)


@transaction.atomic
def save_response(*, attempt: Attempt, position: int, values: list[str], now: datetime) -> bool:
    """Save the trainee's answer to one drawn question. Return False if nothing changed.

    Refuses once the attempt is submitted or past its deadline, whatever the browser shows,
    and a change to an answer already checked. Three queries: the attempt row (locked), the
    drawn question, the update.
    """
    attempt = attempt_reads.locked_attempt(attempt.pk)
    if attempt.is_submitted:
        raise AttemptRefused(_("This attempt has been submitted; answers can no longer change."))
    if attempt.is_past_deadline(now):
        raise AttemptRefused(_("Time is up: answers given after the deadline are not saved."))
    drawn = attempt_reads.drawn_question(attempt.pk, position)
    if drawn is None:
        raise AttemptRefused(_("That question is not part of this attempt."))
    selected = parse_selection(drawn, values)
    if selected == drawn.selected or (drawn.checked_at is not None and selected is None):
        return False  # a checked answer's inputs are disabled, so moving on posts none
    if drawn.checked_at is not None:
        raise AttemptRefused(_("This answer was checked, so it can no longer change."))
    DrawnQuestion.objects.filter(pk=drawn.pk).update(
        selected=selected, answered_at=now if selected is not None else None
    )
    return True


@transaction.atomic
def check_response(
    *, attempt: Attempt, position: int, values: list[str], now: datetime
) -> DrawnQuestion:
    """Practice: save the answer and mark it at once; from then on it is locked.

    Refused in a certification (it would give the key away), while the trainee has a
    certification attempt open, and without an answer.
    """
    if attempt.quiz.is_certification:
        raise AttemptRefused(_("Answers are checked only in practice quizzes."))
    _refuse_practice_during_certification(attempt.quiz, attempt.trainee_id, now)
    if not values:
        raise AttemptRefused(_("Choose an answer before checking it."))
    drawn = DrawnQuestion.objects.select_related("question").get(attempt=attempt, position=position)
    if is_secure(drawn):  # made certification-only after this practice was drawn
        raise AttemptRefused(_("This question is now kept for the certification."))
    save_response(attempt=attempt, position=position, values=values, now=now)
    drawn.refresh_from_db()
    if drawn.checked_at is None:
        drawn.checked_at = now
        drawn.earned = earned_for(drawn.kind, drawn.correct, drawn.selected, len(drawn.choices))
        DrawnQuestion.objects.filter(pk=drawn.pk, checked_at=None).update(
            checked_at=now, earned=drawn.earned
        )
    return drawn


def move(*, attempt: Attempt, position: int, go: str) -> int | None:
    """Where a move from the question at `position` leads; None means the review page.

    `go` is the button pressed: "prev", "next", "review", "stay" (the page's script saving a
    pick as it is made) or a question number from the navigator. The new position is
    remembered, so the trainee resumes there: one query, none for "stay" or "review".
    """
    if go == "stay":
        return position
    if go == "review":
        return None
    if go == "prev":
        target = position - 1
    elif go == "next":
        target = position + 1
    else:
        try:
            target = int(go)
        except ValueError:
            target = position
    if target > attempt.question_count:
        return None
    target = min(max(target, 1), attempt.question_count)
    Attempt.objects.filter(pk=attempt.pk).update(last_position=target)
    return target


# --- Submitting and grading -------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """How one drawn question of a graded attempt came out, without its text and choices:
    what the topic scores, the verdict, the count of right answers and the critical misses
    need."""

    position: int
    critical: bool
    earned: float | None
    secure: bool  # `is_secure`: its key stays hidden
    topic_id: int
    topic_name: str  # as drawn
    topic_rank: int  # the topic's place among the attempt's, by its order, then its name


# Compiled once (smptraining/rows.py): grading and the result page read it. In topic order as
# the database collates names, which may not be Python's order.
_marks = Prepared(
    lambda attempt: (
        DrawnQuestion.objects.filter(attempt=attempt)
        .order_by("topic__order", "topic_name", "position")
        .values_list(
            "position", "critical", "earned", "secure", "question__usage", "topic_id", "topic_name"
        )
    )
)


def marks(attempt: Attempt) -> list[Mark]:
    """The mark of every drawn question of the attempt, by position. One query."""
    ranks: dict[tuple[int, str], int] = {}
    found = []
    for position, critical, earned, secure, usage, topic_id, name in _marks(attempt=attempt.pk):
        rank = ranks.setdefault((topic_id, name), len(ranks))
        found.append(Mark(position, critical, earned, _secure(secure, usage), topic_id, name, rank))
    return sorted(found, key=lambda mark: mark.position)


def topic_scores(attempt: Attempt, graded: list[Mark] | None = None) -> list[TopicScore]:
    """Per-topic credit of a graded attempt, in the topics' order. One query; none when its
    marks are given."""
    earned: dict[tuple, list[float]] = defaultdict(list)
    for mark in marks(attempt) if graded is None else graded:
        earned[(mark.topic_rank, mark.topic_id, mark.topic_name)].append(mark.earned or 0.0)
    return [
        TopicScore(
            topic_id,
            name,
            math.fsum(credits),  # exact, whatever the order of the questions
            len(credits),
            attempt.topic_floors.get(str(topic_id), attempt.topic_floor),
        )
        for (_rank, topic_id, name), credits in sorted(earned.items())
    ]


def attempt_verdict(
    attempt: Attempt, scores: list[TopicScore], drawn: list[DrawnQuestion | Mark] | None = None
) -> Verdict:
    """Judge a graded attempt by the rules it was taken under.

    One query for the critical misses, none when the caller has the drawn questions (or their
    marks) loaded.
    """
    if drawn is None:
        drawn = DrawnQuestion.objects.filter(attempt=attempt, critical=True, earned__lt=1)
    missed_critical = sorted(d.position for d in drawn if d.critical and (d.earned or 0) < 1)
    return judge(
        scores,
        pass_mark=attempt.pass_mark,
        topic_floor=attempt.topic_floor,
        topic_floors=attempt.topic_floors,
        missed_critical=missed_critical,
    )


@transaction.atomic
def submit_attempt(*, attempt: Attempt, now: datetime) -> Attempt:
    """Grade the attempt once; a second submit returns the graded attempt unchanged.

    A passed certification issues its completion record in the same transaction.

    Past the deadline, the attempt is closed at the deadline with what was saved by then (the
    server accepted nothing later). A conditional update claims the attempt, so two submits at
    once grade once, on SQLite and PostgreSQL alike. Grading is bulk: a fixed number of queries
    for any number of questions, three of them adding the responses to the instructor pages'
    tallies.
    """
    closed_at = min(now, attempt.deadline) if attempt.deadline else now
    claimed = Attempt.objects.filter(pk=attempt.pk, submitted_at=None).update(
        submitted_at=closed_at, score=0
    )
    if not claimed:
        return Attempt.objects.get(pk=attempt.pk)
    drawn = list(
        DrawnQuestion.objects.filter(attempt_id=attempt.pk).only(
            "id", "kind", "choices", "correct", "selected", "question_id", "version", "topic_id"
        )
    )
    by_credit = defaultdict(list)
    for question in drawn:
        question.earned = earned_for(
            question.kind, question.correct, question.selected, len(question.choices)
        )
        by_credit[question.earned].append(question.pk)
    # One statement with a branch per distinct credit (a handful), not one per question as
    # bulk_update writes it: building those branches was a third of the submit's time.
    if by_credit:
        DrawnQuestion.objects.filter(attempt_id=attempt.pk).update(
            earned=Case(
                *(When(pk__in=ids, then=Value(credit)) for credit, ids in by_credit.items()),
                output_field=FloatField(),
            )
        )
    attempt = Attempt.objects.select_related("quiz", "trainee").get(pk=attempt.pk)
    graded = marks(attempt)
    scores = topic_scores(attempt, graded)
    verdict = attempt_verdict(attempt, scores, graded)
    attempt.score = verdict.score
    attempt.passed = verdict.passed
    attempt.save(update_fields=["score", "passed"])
    tallies.add_graded([(attempt, drawn)])
    if attempt.passed and attempt.quiz.is_certification and not attempt.is_missed_practice:
        issue_record(attempt, scores)
    return attempt


def issue_held_records(*, trainee) -> int:
    """Issue the records of passes held while the trainee's email was unverified; how many.

    Each pass gets the record it would have had, in the order they were passed. Runs inside
    the caller's transaction; a few queries per held pass.
    """
    held = (
        Attempt.objects.filter(
            trainee=trainee,
            passed=True,
            is_missed_practice=False,
            quiz__purpose=Quiz.Purpose.CERTIFICATION,
            completion_record=None,
        )
        .select_related("quiz", "trainee")
        .order_by("submitted_at", "id")
    )
    issued = 0
    for attempt in held:
        issued += issue_record(attempt, topic_scores(attempt)) is not None
    return issued


def submit_by_trainee(*, attempt: Attempt, now: datetime) -> Attempt:
    """The trainee's own submit: a practice waits while a certification attempt is open."""
    if not attempt.is_submitted:
        _refuse_practice_during_certification(attempt.quiz, attempt.trainee_id, now)
    return submit_attempt(attempt=attempt, now=now)


def close_if_expired(attempt: Attempt, now: datetime) -> Attempt:
    """Grade an attempt left open past its deadline (on the trainee's next visit)."""
    if not attempt.is_submitted and attempt.is_past_deadline(now):
        return submit_attempt(attempt=attempt, now=now)
    return attempt


def close_expired_attempts(now: datetime) -> int:
    """Grade every open attempt whose deadline has passed; return how many were graded."""
    graded = 0
    expired = Attempt.objects.filter(submitted_at=None, deadline__lte=now).order_by("id")
    for attempt in expired.iterator():
        before = attempt.submitted_at
        result = submit_attempt(attempt=attempt, now=now)
        graded += before is None and result.submitted_at is not None
    return graded


# --- Practice what I missed -------------------------------------------------------------------

MISSED_PRACTICE_SLUG = "practice-what-i-missed"


# The trainee's graded responses, latest first per question, with what the question is now.
# Compiled once (smptraining/rows.py): the history page reads it on every view.
_graded_responses = Prepared(
    lambda trainee: (
        DrawnQuestion.objects.filter(attempt__trainee=trainee, attempt__submitted_at__isnull=False)
        .order_by("question_id", "-attempt__submitted_at", "-id")
        .values_list(
            "question_id", "earned", "question__active", "question__topic_id", "question__usage"
        )
    )
)


def _latest_misses(trainee) -> list[tuple[int, bool, int, str]]:
    """(question id, active, topic id, usage) of each question whose latest graded response by
    this trainee earned less than full credit. One query."""
    latest = {}
    for question_id, earned, *question in _graded_responses(
        trainee=getattr(trainee, "pk", trainee)
    ):
        latest.setdefault(question_id, (earned, question))
    return [(qid, *question) for qid, (earned, question) in latest.items() if (earned or 0) < 1]


@dataclass(frozen=True)
class MissedQuestions:
    """What "Practice what I missed" is made of."""

    practice_ids: list[int]  # missed questions that practice may show again
    # The topic of each missed certification-only question: its key stays secret, so another
    # practice question of that topic stands in for it.
    secure_topic_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.practice_ids) + len(self.secure_topic_ids)


def missed_questions(trainee) -> MissedQuestions:
    """The active questions this trainee last got wrong, split by who may see them. One query."""
    practice, secure = [], []
    for qid, active, topic, usage in _latest_misses(trainee):
        if not active:
            continue
        if usage == Question.Usage.CERTIFICATION:
            secure.append(topic)
        else:
            practice.append(qid)
    return MissedQuestions(practice, secure)


def _practice_stand_ins(topic_ids: list[int], *, exclude: list[int], rng) -> list[int]:
    """For each missed secure question, a practice question of its topic instead. One query."""
    if not topic_ids:
        return []
    pools: dict[int, list[int]] = defaultdict(list)
    for qid, topic in (
        Question.objects.filter(active=True, topic_id__in=topic_ids)
        .for_practice()
        .exclude(id__in=exclude)
        .order_by("id")
        .values_list("id", "topic_id")
    ):
        pools[topic].append(qid)
    chosen = []
    for topic in topic_ids:
        pool = pools[topic]
        if pool:
            chosen.append(pool.pop(rng.randrange(len(pool))))
    return chosen


@transaction.atomic
def start_missed_practice(*, trainee, now: datetime, rng=None) -> Attempt:
    """Start a practice attempt made of the questions this trainee last got wrong.

    A practice of missed questions already in progress is resumed rather than replaced.
    """
    rng = rng or random.SystemRandom()
    quiz, _created = Quiz.objects.get_or_create(
        slug=MISSED_PRACTICE_SLUG,
        defaults={
            "title": _("Practice what I missed"),
            "description": _("The questions you last got wrong, to practice until they stick."),
            "purpose": Quiz.Purpose.PRACTICE,
            "pass_mark": 80,
            "published": False,
        },
    )
    _refuse_practice_during_certification(quiz, trainee, now)
    current = open_attempt(quiz, trainee)
    if current is not None:
        return current  # finish that one first; it holds the answers saved so far
    missed = missed_questions(trainee)
    ids = list(missed.practice_ids)
    ids += _practice_stand_ins(missed.secure_topic_ids, exclude=ids, rng=rng)
    if not ids:
        raise AttemptRefused(_("You have no missed questions to practice. Well done!"))
    return _create_attempt(quiz, trainee, now, _load_for_snapshot(ids), rng, missed_practice=True)


# --- Reviewing a submitted attempt -------------------------------------------------------------


def review_items(
    attempt: Attempt, check: StartCheck, *, passed_quiz: bool, exam_open: bool = False
) -> set[str]:
    """What the trainee may see of this submitted attempt now, by the quiz's review options.

    Each moment that has come adds what the instructor ticked for it: right after the
    attempt; once the trainee has passed the quiz; once the quiz has closed for them (no
    attempt left to start). While any certification attempt of the trainee is open, only the
    scores show, whatever is ticked: its questions may be among this attempt's. The key of a
    certification-only question is withheld on top of this (`shows_key`).
    """
    quiz = attempt.quiz
    moments = [ReviewMoment.AFTER_ATTEMPT]
    if passed_quiz:
        moments.append(ReviewMoment.AFTER_PASS)
    if check.attempts_left == 0:
        moments.append(ReviewMoment.AFTER_CLOSE)
    shown: set[str] = set()
    for moment in moments:
        shown |= quiz.review_items(moment)
    if exam_open:
        shown &= {ReviewItem.SCORE, ReviewItem.TOPIC_SCORES}
    return shown


@dataclass(frozen=True)
class Review:
    """What a trainee may see of a submitted attempt now, and why."""

    shown: set[str]
    check: StartCheck  # the start rule now: attempts left, when the next may start
    exam: Attempt | None  # another certification attempt open now: scores only meanwhile


# Whether the trainee has passed the quiz, compiled once (smptraining/rows.py).
_a_pass = Prepared(
    lambda trainee, quiz: (
        Attempt.objects.filter(trainee=trainee, quiz=quiz, passed=True, is_missed_practice=False)
        .order_by()
        .values_list("pk")[:1]
    )
)


def review_of(attempt: Attempt, now: datetime) -> Review:
    """The review policy of one submitted attempt, in one place. One to five queries (none
    to learn whether the quiz was passed when this attempt passed it)."""
    check = check_can_start(attempt.quiz, attempt.trainee_id, now)
    passed_quiz = (attempt.passed and not attempt.is_missed_practice) or bool(
        _a_pass(trainee=attempt.trainee_id, quiz=attempt.quiz_id)
    )
    exam = exam_in_progress(attempt, now)
    shown = review_items(attempt, check, passed_quiz=passed_quiz, exam_open=exam is not None)
    return Review(shown, check, exam)


def is_secure(drawn: DrawnQuestion) -> bool:
    """Certification-only when drawn, or made so since (needs `drawn.question` loaded)."""
    return _secure(drawn.secure, drawn.question.usage)


def _secure(secure_when_drawn: bool, usage: str | None) -> bool:
    return secure_when_drawn or usage == Question.Usage.CERTIFICATION


def critical_misses(marks: list[Mark], verdict: Verdict, shown: set[str]) -> dict:
    """The critical questions answered wrongly, named by position only where the trainee may
    see right and wrong for that question; the others are only counted."""
    named, unnamed = [], 0
    for mark in marks:
        if mark.position in verdict.missed_critical:
            if _shows_key(mark.secure, shown)["correctness"]:
                named.append(mark.position)
            else:
                unnamed += 1
    return {"named": named, "unnamed": unnamed}


def shows_key(drawn: DrawnQuestion, shown: set[str]) -> dict[str, bool]:
    """For one drawn question: whether its correctness, right answers and explanation show."""
    return _shows_key(is_secure(drawn), shown)


def _shows_key(secure: bool, shown: set[str]) -> dict[str, bool]:
    return {
        "correctness": ReviewItem.CORRECTNESS in shown and not secure,
        "right_answers": ReviewItem.RIGHT_ANSWERS in shown and not secure,
        "explanation": ReviewItem.EXPLANATIONS in shown and not secure,
    }


# --- Overrides for one trainee ----------------------------------------------------------------


@transaction.atomic
def set_override(
    *,
    trainee,
    quiz: Quiz,
    extra_minutes: int,
    extra_attempts: int,
    lift_cooldown: bool,
    reason: str,
    actor,
    now: datetime,
) -> AttemptOverride:
    """Grant one trainee extra time, extra attempts or a lifted cooldown at one quiz.

    Takes effect at once: an attempt in progress gets the new time limit, and the start rule
    (`start_checks`) reads the override. Every change is written to the audit log.
    """
    reason = reason.strip()
    if not reason:
        raise AttemptRefused(_("Give the reason for the override."))
    # get_or_create first, so two instructors saving at once meet one row, then lock it.
    override, _created = AttemptOverride.objects.get_or_create(
        trainee=trainee, quiz=quiz, defaults={"reason": reason}
    )
    override = AttemptOverride.objects.select_for_update().get(pk=override.pk)
    snapshot_before = None if _created else audit.snapshot(override)
    before = {"extra_minutes": override.extra_minutes, "extra_attempts": override.extra_attempts}
    override.extra_minutes = extra_minutes
    override.extra_attempts = extra_attempts
    if lift_cooldown:
        override.cooldown_lifted_at = now
    override.reason = reason
    override.updated_by = actor
    override.save()
    change = timedelta(minutes=extra_minutes - before["extra_minutes"])
    if change:
        for current in Attempt.objects.filter(
            trainee=trainee, quiz=quiz, submitted_at=None, deadline__gt=now
        ):
            # Less time never ends an attempt before now: what was saved stays within it.
            current.deadline = max(current.deadline + change, now)
            current.save(update_fields=["deadline"])
    audit.log_action(
        actor=actor,
        action="quizzes.override.set",
        obj=override,
        # The trainee by account number: the trail is never rewritten, and a deleted account's
        # name and email must not stay in it.
        object_repr=f"user #{trainee.pk} — {quiz}",
        before=snapshot_before,
        after=audit.snapshot(override),
        data={
            "trainee": trainee.pk,
            "quiz": quiz.pk,
            "before": before,
            "extra_minutes": extra_minutes,
            "extra_attempts": extra_attempts,
            "cooldown_lifted": lift_cooldown,
            "reason": reason,
        },
    )
    return override
