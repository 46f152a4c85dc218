"""Completion records: issuing on a pass, renewal, revocation and expiry reminders."""

import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from . import emails
from .grading import TopicScore
from .models import Attempt, AuditLogEntry, CompletionRecord, Quiz

RENEWAL_WINDOW_DAYS = 30
REMINDER_DAYS = (30, 7, 1)
# secrets.token_urlsafe(24): 192 random bits in 32 URL-safe characters.
CODE_BYTES = 24
CODE_PATTERN = r"[A-Za-z0-9_-]{32}"
_CODE = re.compile(CODE_PATTERN)


class RecordRefused(Exception):
    """A record workflow said no; the message is for the person who asked."""


def new_verification_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def is_verification_code(text: str) -> bool:
    """Whether the text has the shape of a verification code (the URL converter's rule too)."""
    return _CODE.fullmatch(text) is not None


def new_record(attempt: Attempt, topic_scores: list[TopicScore], *, previous=None):
    """The unsaved completion record of a passed attempt, with its snapshot of holder and quiz.

    Grading and the load-data generator both build records here. Reads the attempt's quiz and
    trainee, which the caller has loaded (no queries).
    """
    quiz = attempt.quiz
    trainee = attempt.trainee
    return CompletionRecord(
        verification_code=new_verification_code(),
        trainee=trainee,
        quiz=quiz,
        attempt=attempt,
        previous=previous,
        holder_name=trainee.full_name,
        holder_job_title=trainee.job_title,
        quiz_title=quiz.title,
        score=attempt.score,
        topics=[{"name": t.name, "percent": str(t.percent)} for t in topic_scores],
        issuer_name=settings.CERTIFICATE_ISSUER_NAME,
        trainer_name=settings.CERTIFICATE_TRAINER_NAME,
        trainer_qualification=settings.CERTIFICATE_TRAINER_QUALIFICATION,
        issued_at=attempt.submitted_at,
        expires_at=attempt.submitted_at + timedelta(days=quiz.validity_days),
    )


def issue_record(attempt: Attempt, topic_scores: list[TopicScore]) -> CompletionRecord:
    """Issue the completion record of a passed certification attempt (inside its grading).

    The one-to-one link to the attempt lets the database refuse a second record for it.
    """
    previous = (
        CompletionRecord.objects.filter(trainee=attempt.trainee, quiz=attempt.quiz, renewal=None)
        .order_by("-issued_at")
        .first()
    )
    record = new_record(attempt, topic_scores, previous=previous)
    record.save(force_insert=True)
    return record


def renewal_windows(quizzes: list[Quiz], trainee, now: datetime) -> dict[int, datetime]:
    """For each quiz whose renewal window is open for this holder, when it opened. One query.

    A holder whose latest record expires within 30 days, or has expired, may sit the
    certification again: the attempt limit then counts only attempts since the window opened.
    """
    certification_ids = [quiz.id for quiz in quizzes if quiz.is_certification]
    if not certification_ids:
        return {}
    latest_expiry: dict[int, datetime] = {}
    for quiz_id, expires_at in (
        CompletionRecord.objects.filter(
            trainee=trainee, quiz_id__in=certification_ids, revoked_at=None
        )
        .order_by("quiz_id", "-issued_at")
        .values_list("quiz_id", "expires_at")
    ):
        latest_expiry.setdefault(quiz_id, expires_at)
    windows = {}
    for quiz_id, expires_at in latest_expiry.items():
        opens = expires_at - timedelta(days=RENEWAL_WINDOW_DAYS)
        if now >= opens:
            windows[quiz_id] = opens
    return windows


@transaction.atomic
def revoke_record(*, record_id: int, reason: str, actor, now: datetime) -> CompletionRecord:
    """Revoke once, with a reason, and write the audit trail in the same transaction."""
    reason = reason.strip()
    if not reason:
        raise RecordRefused(_("Give the reason for revoking the record."))
    revoked = CompletionRecord.objects.filter(pk=record_id, revoked_at=None).update(
        revoked_at=now, revoked_by=actor, revocation_reason=reason
    )
    record = CompletionRecord.objects.get(pk=record_id)
    if not revoked:
        raise RecordRefused(_("This record was already revoked."))
    AuditLogEntry.objects.create(
        actor=actor,
        action="quizzes.record.revoked",
        object_repr=str(record)[:255],
        data={"record": record.pk, "code": record.verification_code, "reason": reason},
    )
    return record


def reminder_stage(record: CompletionRecord, now: datetime) -> int | None:
    """The reminder due now (30, 7 or 1 days before expiry), or None."""
    if record.revoked_at is not None or record.expires_at <= now:
        return None
    left = record.expires_at - now
    due = [days for days in REMINDER_DAYS if left <= timedelta(days=days)]
    return min(due) if due else None


def send_expiry_reminders(now: datetime) -> int:
    """Email each holder whose record nears expiry, each reminder once; return how many.

    A record already renewed gets none. Each reminder is claimed with a conditional update
    before it is sent, so two runs at once never send it twice; the email goes out after the
    claim commits.
    """
    sent = 0
    candidates = CompletionRecord.objects.filter(
        revoked_at=None,
        renewal=None,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=max(REMINDER_DAYS)),
        trainee__isnull=False,
    ).select_related("trainee")
    for record in candidates:
        stage = reminder_stage(record, now)
        if stage is None or (
            record.last_reminder_days is not None and record.last_reminder_days <= stage
        ):
            continue
        with transaction.atomic():
            claimed = CompletionRecord.objects.filter(
                pk=record.pk, last_reminder_days=record.last_reminder_days
            ).update(last_reminder_days=stage)
            if claimed:
                transaction.on_commit(
                    lambda record=record, stage=stage: emails.send_expiry_reminder(record, stage)
                )
        sent += claimed
    return sent
