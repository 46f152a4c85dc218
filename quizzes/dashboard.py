"""What a signed-in trainee's home page shows: the attempt in progress, where they stand with
each certification, and the one next step."""

from dataclasses import dataclass
from datetime import datetime

from .models import Attempt, CompletionRecord, Quiz


class NextStep:
    RESUME = "resume"  # finish the attempt in progress
    RENEW = "renew"  # a record expires soon or has expired
    CERTIFY = "certify"  # not certified (or revoked): take the certification
    DOWNLOAD = "download"  # certified: keep the certificate at hand
    STUDY = "study"  # no certification is published yet


@dataclass(frozen=True)
class Standing:
    """A trainee's standing with one certification quiz: the latest record, if any."""

    quiz: Quiz
    record: CompletionRecord | None
    status: str | None  # a CompletionRecord.Status, or None: not yet certified
    days_left: int | None


@dataclass(frozen=True)
class Dashboard:
    open_attempts: list[tuple[Attempt, int | None]]  # with the seconds left, if timed
    standings: list[Standing]
    next_step: str
    next_attempt: Attempt | None  # the attempt to resume
    next_standing: Standing | None  # the certification the next step is about


def trainee_dashboard(*, trainee, now: datetime) -> Dashboard:
    """The home page of a trainee. Three queries: open attempts, certification quizzes, records.

    An open certification attempt comes first (its clock is running); then a record to renew;
    then a certification not yet passed; a trainee certified in everything keeps the
    certificate at hand.
    """
    open_attempts = sorted(
        Attempt.objects.filter(trainee=trainee, submitted_at=None).select_related("quiz"),
        key=lambda attempt: (not attempt.quiz.is_certification, attempt.started_at),
    )
    quizzes = list(
        Quiz.objects.filter(published=True, purpose=Quiz.Purpose.CERTIFICATION).order_by(
            "order", "title"
        )
    )
    latest: dict[int, CompletionRecord] = {}
    for record in (
        CompletionRecord.objects.filter(trainee=trainee, quiz__in=quizzes)
        .with_status(now)
        .order_by("quiz_id", "-issued_at")
    ):
        latest.setdefault(record.quiz_id, record)
    standings = []
    for quiz in quizzes:
        record = latest.get(quiz.pk)
        standings.append(
            Standing(
                quiz=quiz,
                record=record,
                status=record.current_status if record else None,
                days_left=record.days_left(now) if record else None,
            )
        )

    def first(*statuses):
        return next((s for s in standings if s.status in statuses), None)

    renewable = first(CompletionRecord.Status.EXPIRING, CompletionRecord.Status.EXPIRED)
    uncertified = first(None, CompletionRecord.Status.REVOKED)
    if open_attempts:
        step, standing = NextStep.RESUME, None
    elif renewable:
        step, standing = NextStep.RENEW, renewable
    elif uncertified:
        step, standing = NextStep.CERTIFY, uncertified
    elif standings:
        step, standing = NextStep.DOWNLOAD, standings[0]
    else:
        step, standing = NextStep.STUDY, None
    return Dashboard(
        open_attempts=[(attempt, attempt.seconds_left(now)) for attempt in open_attempts],
        standings=standings,
        next_step=step,
        next_attempt=open_attempts[0] if open_attempts else None,
        next_standing=standing,
    )
