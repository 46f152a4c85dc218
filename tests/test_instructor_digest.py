"""The weekly digest to instructors: records expiring in the next 30 days, and just expired."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from quizzes.models import CompletionRecord
from quizzes.records import revoke_record, send_instructor_digest
from tests.conftest import pass_quiz


@pytest.fixture
def issued(certification, make_user):
    """Records of four holders, issued 400, 380, 340 and 100 days before `now`."""
    now = timezone.now()
    for name, days in (("Old", 400), ("Lapsed", 380), ("Soon", 340), ("Fresh", 100)):
        pass_quiz(
            certification,
            make_user(f"{name.lower()}@example.com", name),
            now - timedelta(days=days),
        )
    # Old expired 35 days ago, Lapsed 15 days ago; Soon expires in 25 days; Fresh in 265.
    return now


def digest(now):
    out = io.StringIO()
    with time_machine.travel(now):
        call_command("send_instructor_digest", stdout=out)
    return out.getvalue()


def test_instructors_hear_of_records_expiring_soon_and_just_expired(
    issued, instructor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = digest(issued)
    assert "Announced 1 expiring and 1 expired" in output
    [message] = mail.outbox
    assert message.to == [instructor.email]
    assert message.subject == "Completion records: 1 expiring soon, 1 expired"
    expiring, expired = message.body.split("expired in the last 30 days")
    assert "Soon, SMP Safety Certification: expires" in expiring
    assert "soon@example.com" in expiring
    assert "Lapsed, SMP Safety Certification: expired" in expired
    assert "Old" not in message.body and "Fresh" not in message.body
    record = CompletionRecord.objects.get(holder_name="Soon")
    assert f"/admin/quizzes/completionrecord/{record.pk}/change/" in message.body
    html = message.alternatives[0][0]
    assert "Soon, SMP Safety Certification" in html


def test_each_record_is_announced_once_as_expiring_and_once_as_expired(
    issued, instructor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        digest(issued)
        assert "Announced 0 expiring and 0 expired" in digest(issued + timedelta(days=1))
        # A week later: nothing new expiring, and "Soon" has not expired yet.
        assert "Announced 0 expiring and 0 expired" in digest(issued + timedelta(days=7))
        # Four weeks later "Soon" has expired: it is announced again, as expired.
        assert "Announced 0 expiring and 1 expired" in digest(issued + timedelta(days=28))
    assert len(mail.outbox) == 2
    assert "Soon, SMP Safety Certification: expired" in mail.outbox[1].body


def test_a_second_run_at_the_same_moment_claims_nothing(issued, instructor):
    first = send_instructor_digest(issued)
    second = send_instructor_digest(issued + timedelta(microseconds=1))
    assert first == {"expiring": 1, "expired": 1}
    assert second == {"expiring": 0, "expired": 0}


def test_revoked_and_renewed_records_are_left_out(
    issued, instructor, certification, django_capture_on_commit_callbacks
):
    soon = CompletionRecord.objects.get(holder_name="Soon")
    revoke_record(record_id=soon.pk, reason="Mistake", actor=instructor, now=issued)
    lapsed = CompletionRecord.objects.get(holder_name="Lapsed")
    pass_quiz(certification, lapsed.trainee, issued - timedelta(days=1))  # renewed
    with django_capture_on_commit_callbacks(execute=True):
        assert "Announced 0 expiring and 0 expired" in digest(issued)
    assert mail.outbox == []


def test_without_instructors_nothing_is_claimed(issued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert "Announced 0 expiring and 0 expired" in digest(issued)
    assert not CompletionRecord.objects.exclude(expiring_announced_at=None).exists()


def test_every_instructor_gets_the_digest_and_trainees_do_not(
    issued, instructor, make_user, django_capture_on_commit_callbacks
):
    from accounts.instructors import make_instructor

    make_instructor(make_user("ivan@example.com", "Ivan Instructor"))
    make_user("admin@example.com", "Ada Admin", is_staff=True, is_superuser=True)
    make_user("gone@example.com", "Gone Instructor", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        digest(issued)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@example.com",
        "ines@example.com",
        "ivan@example.com",
    ]


def test_the_digest_costs_the_same_queries_however_many_records(
    certification, make_user, instructor, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(6):
        pass_quiz(certification, make_user(f"t{n}@example.com", f"T{n}"), now - timedelta(days=340))
    # the instructors; in a savepoint (two queries): the expiring claim, the expired claim,
    # the claimed records
    with django_assert_max_num_queries(6):
        assert send_instructor_digest(now) == {"expiring": 6, "expired": 0}
