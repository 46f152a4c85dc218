"""Completion records: issuing on a pass, verification codes and their look-up, renewal,
revocation, and expiry reminders to holders and instructors."""

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academy.models import Academy, Trainer
from accounts import throttling
from smptraining.links import absolute_reverse
from smptraining.rows import Prepared

from . import audit, emails, record_reads
from .grading import TopicScore
from .models import (
    STATUS_LIST_SIZE,
    Attempt,
    CompletionRecord,
    Quiz,
)

RENEWAL_WINDOW_DAYS = 30
REMINDER_DAYS = (30, 7, 1)
DIGEST_DAYS = 30

# Verification codes as people type them from paper: "SMP-7KQ4-M2XD-9RWB". Crockford's base32
# leaves out I, L, O and U, so nothing reads as another symbol; 12 symbols carry 60 random bits.
CODE_PREFIX = "SMP"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4
SHORT_CODE_PATTERN = r"SMP(?:-[0-9A-HJKMNP-TV-Z]{4}){3}"
# Records issued before the short codes: secrets.token_urlsafe(24), 32 case-sensitive characters.
LEGACY_CODE_PATTERN = r"[A-Za-z0-9_-]{32}"
CODE_PATTERN = rf"(?:{SHORT_CODE_PATTERN}|{LEGACY_CODE_PATTERN})"
_CODE = re.compile(CODE_PATTERN)
_LEGACY_CODE = re.compile(LEGACY_CODE_PATTERN)
# What a person may type between or around the symbols: spaces and any kind of dash.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
# The usual misreadings of a printed code, as Crockford decodes them.
_MISREADINGS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class RecordRefused(Exception):
    """A record workflow said no; the message is for the person who asked."""


class LookupRefused(RecordRefused):
    """Too many code look-ups from one client; `retry_after` says in how many seconds to retry."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def new_verification_code() -> str:
    symbols = "".join(
        secrets.choice(CODE_ALPHABET) for _symbol in range(CODE_GROUPS * CODE_GROUP_LENGTH)
    )
    groups = [symbols[i : i + CODE_GROUP_LENGTH] for i in range(0, len(symbols), CODE_GROUP_LENGTH)]
    return "-".join([CODE_PREFIX, *groups])


def is_verification_code(text: str) -> bool:
    """Whether the text is a code as stored (the URL converter's rule too)."""
    return _CODE.fullmatch(text) is not None


def normalize_code(text: str) -> str | None:
    """The stored code a person meant, or None if the text cannot be one. No queries.

    A short code forgives letter case, spaces, missing or extra dashes, a missing "SMP" and the
    misreadings O for 0 and I or L for 1. An older long code is case-sensitive and has "-" among
    its characters, so only spaces are taken out of it.
    """
    compact = re.sub(r"\s", "", text)
    if _LEGACY_CODE.fullmatch(compact):
        return compact
    symbols = _SEPARATORS.sub("", text).upper()
    length = CODE_GROUPS * CODE_GROUP_LENGTH
    if len(symbols) == len(CODE_PREFIX) + length and symbols.startswith(CODE_PREFIX):
        symbols = symbols[len(CODE_PREFIX) :]
    symbols = symbols.translate(_MISREADINGS)
    if len(symbols) != length or not all(symbol in CODE_ALPHABET for symbol in symbols):
        return None
    groups = [symbols[i : i + CODE_GROUP_LENGTH] for i in range(0, length, CODE_GROUP_LENGTH)]
    return "-".join([CODE_PREFIX, *groups])


def format_code(code: str) -> str:
    """The code as printed and shown: in its groups, ready to read aloud or type back.

    A short code is stored grouped; an older long code is split into four groups of eight by
    spaces, which the look-up ignores.
    """
    if _LEGACY_CODE.fullmatch(code):
        return " ".join(code[i : i + 8] for i in range(0, len(code), 8))
    return code


def find_record(*, text: str, client: str, now: datetime) -> CompletionRecord | None:
    """The record a typed or linked code names, with its status at `now`, or None.

    Text that cannot be a code is answered without touching the database. Unknown codes count
    against the client's limit (throttling.CODE_MISSES_PER_ADDRESS), so guessing is hopeless;
    past it every look-up waits, a known code too, or a guesser could tell hits by the answer.
    Two queries for a known code (the limit, the record with its quiz); a miss spends a try.
    """
    code = normalize_code(text)
    if code is None:
        return None
    wait = throttling.seconds_until_try(throttling.CODE_MISSES_PER_ADDRESS, client, now)
    if wait:
        minutes = math.ceil(wait / 60)
        raise LookupRefused(
            ngettext(
                "Too many unknown codes were checked from your address. "
                "Try again in %(minutes)d minute.",
                "Too many unknown codes were checked from your address. "
                "Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=wait,
        )
    record = record_reads.record_by_code(code, now)
    if record is None:
        throttling.spend(throttling.CODE_MISSES_PER_ADDRESS, client, now)
    return record


def issuer_details() -> dict[str, str]:
    """Who issues the records: name, postal address, contact, web address and the logo's
    address (empty without one), as the academy is set in the admin. One query.

    The one place the verify page and the credentials read the issuer from.
    """
    academy = Academy.current()
    return {
        "name": academy.name,
        "address": academy.address,
        "contact": " · ".join(academy.contact_lines()),
        "url": academy.website or absolute_reverse("home"),
        "logo": academy.logo.url if academy.logo else "",
    }


def identity_hash(email: str, salt: str) -> str:
    """An Open Badges IdentityHash of an email: "sha256$" and the hex digest of email + salt.

    The email is lowercased first, so a wallet hashing the address as the holder types it
    matches whatever case the account was created with.
    """
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def free_status_list_indexes(count: int) -> list[int]:
    """`count` random positions that no record holds in the status list.

    One query per 400 positions while the list is mostly free. Raises RecordRefused when the
    list has no room left.
    """
    rng = secrets.SystemRandom()
    chosen: set[int] = set()
    fruitless = 0
    while len(chosen) < count:
        wanted = min(count - len(chosen), 400)
        candidates = {rng.randrange(STATUS_LIST_SIZE) for _draw in range(2 * wanted + 8)}
        candidates -= chosen
        taken = CompletionRecord.objects.filter(status_list_index__in=candidates).values_list(
            "status_list_index", flat=True
        )
        free = sorted(candidates - set(taken))
        chosen.update(rng.sample(free, min(wanted, len(free))))
        fruitless = 0 if free else fruitless + 1
        if fruitless == 20:
            raise RecordRefused(_("The revocation status list is full: no record can be issued."))
    positions = list(chosen)
    rng.shuffle(positions)
    return positions


def new_record(attempt: Attempt, topic_scores: list[TopicScore], *, previous=None, academy=None):
    """The unsaved completion record of a passed attempt, with its snapshot of holder, quiz,
    issuer and trainer: what an inspector asks of a training record (OSHA 29 CFR
    1910.1030(h)(2)) reads the same whatever is edited later.

    Grading and the load-data generator both build records here, and give it its status-list
    position. Reads the attempt's quiz and trainee, which the caller has loaded; queries the
    academy (unless given) and the quiz's trainer (unless loaded).
    """
    quiz = attempt.quiz
    trainee = attempt.trainee
    salt = secrets.token_hex(16)
    trainer = quiz.trainer or Trainer.from_settings()
    return CompletionRecord(
        verification_code=new_verification_code(),
        identity_salt=salt,
        identity_hash=identity_hash(trainee.email, salt),
        trainee=trainee,
        quiz=quiz,
        attempt=attempt,
        previous=previous,
        holder_name=trainee.full_name,
        holder_job_title=trainee.job_title,
        quiz_title=quiz.title,
        score=attempt.score,
        topics=[{"name": t.name, "percent": str(t.percent)} for t in topic_scores],
        issuer_name=(academy or Academy.current()).name,
        trainer_name=trainer.name,
        trainer_qualification=trainer.qualification,
        # The stored file's name, not a copy: uploads always get a fresh name, so the file
        # this points at is never replaced.
        trainer_signature=trainer.signature.name or "",
        study_hours=quiz.study_hours,
        assessment_minutes=attempt.minutes_spent(),
        issued_at=attempt.submitted_at,
        expires_at=attempt.submitted_at + timedelta(days=quiz.validity_days),
    )


def record_is_held(trainee) -> bool:
    """Whether this trainee's passes wait for a verified email before records are issued."""
    return trainee.email_verified_at is None


def issue_record(attempt: Attempt, topic_scores: list[TopicScore]) -> CompletionRecord | None:
    """Issue the completion record of a passed certification attempt (inside its grading).

    A record names its holder, so it goes only to a verified email address: until then the
    pass is held (None) and verifying issues it, dated from the pass. The one-to-one link to
    the attempt lets the database refuse a second record for it. Two records issued at the
    same moment may draw the same status-list position: the unique constraint refuses the
    second, which draws again.
    """
    if record_is_held(attempt.trainee):
        return None
    previous = (
        CompletionRecord.objects.filter(trainee=attempt.trainee, quiz=attempt.quiz, renewal=None)
        .order_by("-issued_at")
        .first()
    )
    record = new_record(attempt, topic_scores, previous=previous)
    for _draw in range(3):
        [record.status_list_index] = free_status_list_indexes(1)
        try:
            with transaction.atomic():
                record.save(force_insert=True)
            return record
        except IntegrityError:
            taken = CompletionRecord.objects.filter(status_list_index=record.status_list_index)
            if not taken.exists():
                raise
    raise RecordRefused(_("The record could not be issued; submit again."))


# Compiled once (smptraining/rows.py): the start rule reads it on every quiz and result page.
_unrevoked_expiries = Prepared(
    lambda trainee: (
        CompletionRecord.objects.filter(
            trainee=trainee, revoked_at=None, quiz__purpose=Quiz.Purpose.CERTIFICATION
        )
        .order_by("quiz_id", "-issued_at")
        .values_list("quiz_id", "expires_at")
    )
)


def renewal_windows(quizzes: list[Quiz], trainee, now: datetime) -> dict[int, datetime]:
    """For each quiz whose renewal window is open for this holder, when it opened. One query.

    A holder whose latest record expires within 30 days, or has expired, may sit the
    certification again: the attempt limit then counts only attempts since the window opened.
    """
    certification_ids = {quiz.id for quiz in quizzes if quiz.is_certification}
    if not certification_ids:
        return {}
    latest_expiry: dict[int, datetime] = {}
    for quiz_id, expires_at in _unrevoked_expiries(trainee=getattr(trainee, "pk", trainee)):
        if quiz_id in certification_ids:
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
    after = audit.snapshot(record)
    before = {**after, "revoked_at": None, "revoked_by_id": None, "revocation_reason": ""}
    audit.log_action(
        actor=actor,
        action="quizzes.record.revoked",
        obj=record,
        before=before,
        after=after,
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


def send_instructor_digest(now: datetime) -> dict[str, int]:
    """Email the instructors the records expiring in the next 30 days and those expired in the
    last 30; return how many of each were announced.

    Each record is announced once as expiring and once as expired; renewed and revoked records
    not at all. Each list is claimed by one conditional UPDATE that stamps `now` on records
    whose stamp is still empty; the database lets only one of two runs at once set it, so no
    record is announced twice. The emails go out after the claim commits. With no instructor
    to tell, nothing is claimed. At most five queries, whatever the number of records.
    """
    from accounts.instructors import active_instructors

    recipients = list(active_instructors().values_list("email", flat=True))
    if not recipients:
        return {"expiring": 0, "expired": 0}
    window = timedelta(days=DIGEST_DAYS)
    current = CompletionRecord.objects.filter(revoked_at=None, renewal=None)
    with transaction.atomic():
        current.filter(
            expires_at__gt=now, expires_at__lte=now + window, expiring_announced_at=None
        ).update(expiring_announced_at=now)
        current.filter(
            expires_at__gt=now - window, expires_at__lte=now, expired_announced_at=None
        ).update(expired_announced_at=now)
        claimed = list(
            CompletionRecord.objects.filter(
                Q(expiring_announced_at=now) | Q(expired_announced_at=now)
            )
            .select_related("trainee")
            .order_by("expires_at", "holder_name")
        )
        expiring = [r for r in claimed if r.expires_at > now and r.expiring_announced_at == now]
        expired = [r for r in claimed if r.expires_at <= now and r.expired_announced_at == now]
        if expiring or expired:
            transaction.on_commit(
                lambda: emails.send_instructor_digest(recipients, expiring, expired)
            )
    return {"expiring": len(expiring), "expired": len(expired)}


@transaction.atomic
def purge_expired_records(*, now: datetime) -> int:
    """Delete the records past their retention date (CompletionRecord.retain_until); return
    how many. Their codes go to the audit trail, so a verifier's question can be answered."""
    expired = CompletionRecord.objects.past_retention(now)
    codes = list(expired.values_list("verification_code", flat=True))
    if not codes:
        return 0
    audit.log_action(
        actor=None,
        action="quizzes.record.purged",
        object_repr=ngettext("%(n)d record", "%(n)d records", len(codes)) % {"n": len(codes)},
        data={"codes": codes},
    )
    expired.delete()
    return len(codes)
