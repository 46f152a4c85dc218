"""A trainee's own data: everything held about them as JSON, and deleting their account.

Deleting keeps what others rely on, without the person: submitted attempts stay, with no
trainee, for the quizzes' statistics; completion records stay verifiable by the snapshot they
carry (holder's name, quiz, dates) until their retention date (CompletionRecord.retain_until),
when `purge_expired_records` deletes them; the audit trail stays as written.
"""

from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import Prefetch, Q

from quizzes import audit
from quizzes.models import (
    Attempt,
    AttemptOverride,
    AuditLogEntry,
    CompletionRecord,
    DrawnQuestion,
)

from .models import User


def export_personal_data(user: User, *, now: datetime) -> dict:
    """Everything held about the user, as JSON-ready data. Seven queries, whatever they did.

    Answers are given as the choices the trainee picked, never with the answer key: a
    certification's questions must stay a fair test for the next trainee.
    """
    attempts = (
        Attempt.objects.filter(trainee=user)
        .select_related("quiz")
        .prefetch_related(Prefetch("drawn", queryset=DrawnQuestion.objects.order_by("position")))
        .order_by("started_at")
    )
    records = list(CompletionRecord.objects.filter(trainee=user).order_by("issued_at"))
    overrides = list(AttemptOverride.objects.filter(trainee=user).select_related("quiz"))
    about_them = (
        Q(actor=user)
        | Q(object_type="quizzes.completionrecord", object_id__in=[str(r.pk) for r in records])
        | Q(object_type="quizzes.attemptoverride", object_id__in=[str(o.pk) for o in overrides])
    )
    entries = AuditLogEntry.objects.filter(about_them).order_by("created_at", "id")
    sign_ins = AccessLog.objects.filter(username=_login_name(user)).order_by("attempt_time")
    return audit.as_json_data(
        {
            "exported_at": now,
            "profile": {
                "email": user.email,
                "full_name": user.full_name,
                "job_title": user.job_title,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "email_verified_at": user.email_verified_at,
            },
            "sign_ins": [
                {
                    "at": s.attempt_time,
                    "signed_out_at": s.logout_time,
                    "address": s.ip_address,
                    "browser": s.user_agent,
                }
                for s in sign_ins
            ],
            "attempts": [_attempt_data(attempt) for attempt in attempts],
            "completion_records": [_record_data(record, now) for record in records],
            "overrides": [
                {
                    "quiz": o.quiz.title,
                    "extra_minutes": o.extra_minutes,
                    "extra_attempts": o.extra_attempts,
                    "cooldown_lifted_at": o.cooldown_lifted_at,
                    "reason": o.reason,
                }
                for o in overrides
            ],
            "audit_log": [
                {
                    "at": e.created_at,
                    "action": e.action,
                    "by": "" if e.actor_id == user.pk else e.actor_name,
                    "object": e.object_repr,
                    "before": e.before,
                    "after": e.after,
                    "data": e.data,
                }
                for e in entries
            ],
        }
    )


def _login_name(user: User) -> str:
    """How django-axes names the account in its logs (accounts.throttling)."""
    return user.email.strip().lower()


def _attempt_data(attempt: Attempt) -> dict:
    return {
        "quiz": attempt.quiz.title,
        "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at,
        "score": attempt.score,
        "passed": attempt.passed,
        "answers": [
            {
                "position": drawn.position,
                "topic": drawn.topic_name,
                "prompt": drawn.prompt,
                "picked": [
                    choice["text"]
                    for index, choice in drawn.shown_choices()
                    if drawn.is_selected(index)
                ],
                "answered_at": drawn.answered_at,
            }
            for drawn in attempt.drawn.all()
        ],
    }


def _record_data(record: CompletionRecord, now: datetime) -> dict:
    from quizzes.certificates import verify_url

    return {
        "verification_code": record.verification_code,
        "verify_url": verify_url(record),
        "holder_name": record.holder_name,
        "holder_job_title": record.holder_job_title,
        "quiz": record.quiz_title,
        "score": record.score,
        "topics": record.topics,
        "issued_at": record.issued_at,
        "expires_at": record.expires_at,
        "revoked_at": record.revoked_at,
        "kept_until": record.retain_until,
    }


def what_deleting_keeps(user: User) -> dict[str, int]:
    """What deleting the account would keep: its submitted attempts (anonymised) and its
    completion records (under their snapshot). Two queries."""
    return {
        "attempts_anonymised": Attempt.objects.filter(trainee=user)
        .exclude(submitted_at=None)
        .count(),
        "records_kept": CompletionRecord.objects.filter(trainee=user).count(),
    }


@transaction.atomic
def delete_account(*, user: User, actor: User | None, now: datetime) -> dict:
    """Delete the account: anonymise its attempts, keep its records under their snapshot.

    `actor` is the user themself or the administrator who deletes them. An attempt still in
    progress is deleted (half an attempt says nothing about a quiz). The audit row names the
    account by number only. Returns what happened, for the message.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    Attempt.objects.filter(trainee=user, submitted_at=None).delete()
    summary = what_deleting_keeps(user)
    by_self = actor is None or actor.pk == user.pk
    audit.log_action(
        actor=None if by_self else actor,
        action="accounts.user.deleted",
        object_repr=f"user #{user.pk}",
        object_id=user.pk,
        data={"by": "account holder" if by_self else "administrator", **summary},
    )
    for log in (AccessLog, AccessAttempt, AccessFailureLog):
        log.objects.filter(username=_login_name(user)).delete()  # sign-ins: address, browser
    user.delete()  # attempts and records: SET_NULL; overrides go with the account
    return summary
