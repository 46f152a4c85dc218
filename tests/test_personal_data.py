"""People own their data: export as JSON, delete the account, records kept until retention."""

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.personal_data import delete_account
from quizzes.attempts import set_override, start_attempt
from quizzes.models import (
    Attempt,
    AuditLogEntry,
    CompletionRecord,
    DrawnQuestion,
    RecordRetained,
)
from quizzes.records import purge_expired_records
from tests.conftest import PASSWORD, pass_quiz


@pytest.fixture
def certified_alice(alice, certification, instructor):
    """Alice passed once, has an override and a second attempt in progress."""
    pass_quiz(certification, alice, timezone.now() - timedelta(days=10))
    set_override(
        trainee=alice,
        quiz=certification,
        extra_minutes=15,
        extra_attempts=0,
        lift_cooldown=True,
        reason="Dyslexia: extra reading time",
        actor=instructor,
        now=timezone.now(),
    )
    start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    return alice


def export(client):
    response = client.get(reverse("accounts:export_data"))
    assert response.status_code == 200
    return response, json.loads(response.content)


def test_a_trainee_downloads_everything_held_about_them(alice_client, certified_alice):
    response, data = export(alice_client)
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="smp-training-data-{today}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    assert data["profile"]["email"] == "alice@example.com"
    assert data["profile"]["full_name"] == "Alice Adams"
    submitted, in_progress = data["attempts"]
    assert submitted["score"] == "100.00" and submitted["passed"] is True
    assert len(submitted["answers"]) == 10
    first = submitted["answers"][0]
    assert first["prompt"] == "Prompt 1.1?"
    assert first["picked"] == ["Right 1.1", "Also right 1.1"]
    assert "correct" not in json.dumps(first)  # never the answer key
    assert in_progress["submitted_at"] is None
    (record,) = data["completion_records"]
    assert record["holder_name"] == "Alice Adams"
    assert record["verify_url"].endswith(f"/verify/{record['verification_code']}/")
    assert data["overrides"][0]["reason"] == "Dyslexia: extra reading time"
    assert [e["action"] for e in data["audit_log"]] == ["quizzes.override.set"]
    assert data["audit_log"][0]["by"] == "Ines Instructor <ines@example.com>"


def test_the_export_holds_only_the_signed_in_persons_data(client, bob, certified_alice):
    client.force_login(bob)
    _response, data = export(client)
    assert data["profile"]["email"] == "bob@example.com"
    assert data["attempts"] == data["completion_records"] == data["audit_log"] == []
    assert "Alice" not in json.dumps(data)


def test_the_export_asks_a_stranger_to_log_in(client, db):
    response = client.get(reverse("accounts:export_data"))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_the_export_costs_the_same_queries_however_much_was_done(
    alice_client, alice, certification, django_assert_max_num_queries
):
    # session, user, attempts with quiz, their drawn questions, records, overrides, audit rows,
    # sign-ins
    with django_assert_max_num_queries(8):
        export(alice_client)
    start = timezone.now() - timedelta(days=900)
    for n in range(3):
        pass_quiz(certification, alice, start + timedelta(days=400 * n))
    with django_assert_max_num_queries(8):
        _response, data = export(alice_client)
    assert len(data["attempts"]) == 3


def test_the_delete_page_explains_what_happens_and_asks_for_the_password(
    alice_client, certified_alice
):
    page = alice_client.get(reverse("accounts:delete_account")).content.decode()
    assert "This cannot be undone" in page
    assert "stay without your name" in page
    record = CompletionRecord.objects.get()
    assert f"kept until {record.retain_until:%Y-%m-%d}" in page
    assert 'type="password"' in page


def test_a_wrong_password_deletes_nothing(alice_client, certified_alice):
    response = alice_client.post(reverse("accounts:delete_account"), {"password": "guess"})
    assert response.status_code == 200
    assert "That is not your password" in response.content.decode()
    assert User.objects.filter(email="alice@example.com").exists()
    assert Attempt.objects.filter(trainee=certified_alice).count() == 2


def test_sign_ins_are_in_the_export_and_go_with_the_account(client, alice):
    from axes.models import AccessLog

    client.post(reverse("login"), {"username": "Alice@Example.com", "password": PASSWORD})
    _response, data = export(client)
    assert len(data["sign_ins"]) == 1
    assert data["sign_ins"][0]["address"] == "127.0.0.1"
    client.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert not AccessLog.objects.exists()


def test_deleting_the_account_anonymises_attempts_and_keeps_the_record_verifiable(
    alice_client, certified_alice, client
):
    record = CompletionRecord.objects.get()
    response = alice_client.post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(email="alice@example.com").exists()
    # The submitted attempt stays for statistics, with no one's name; the open one is gone.
    (kept,) = Attempt.objects.all()
    assert kept.trainee_id is None and kept.submitted_at is not None
    assert DrawnQuestion.objects.filter(attempt=kept).count() == 10
    record.refresh_from_db()
    assert record.trainee_id is None
    verify = client.get(reverse("quizzes:verify", args=[record.verification_code]))
    assert "Alice Adams" in verify.content.decode()
    entry = AuditLogEntry.objects.get(action="accounts.user.deleted")
    assert entry.actor_name == "" and "alice" not in entry.object_repr.lower()
    assert entry.data == {"by": "account holder", "attempts_anonymised": 1, "records_kept": 1}
    # Signed out: the profile asks to log in again.
    assert alice_client.get(reverse("accounts:profile")).status_code == 302


def test_a_superuser_deletes_a_user_in_the_admin_with_the_same_effect(
    client, make_user, certified_alice
):
    client.force_login(make_user("root@example.com", "Root", is_staff=True, is_superuser=True))
    url = reverse("admin:accounts_user_delete", args=[certified_alice.pk])
    page = client.get(url)  # was a 403 for any user with an attempt
    assert page.status_code == 200
    html = " ".join(page.content.decode().split())
    assert "1 submitted attempt, without the name" in html
    assert "1 completion record, still checkable by its code" in html
    chosen = {"action": "delete_selected", "_selected_action": [certified_alice.pk]}
    several = " ".join(
        client.post(reverse("admin:accounts_user_changelist"), chosen).content.decode().split()
    )
    assert "Completion records, still checkable by their codes" in several
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(email="alice@example.com").exists()
    assert Attempt.objects.get().trainee_id is None
    assert CompletionRecord.objects.get().holder_name == "Alice Adams"
    entry = AuditLogEntry.objects.get(action="accounts.user.deleted")
    assert entry.actor_name == "Root <root@example.com>"
    assert entry.data["by"] == "administrator"


def test_instructor_pages_show_an_anonymised_attempt_without_a_name(
    instructor_client, certified_alice, certification
):
    delete_account(user=certified_alice, actor=certified_alice, now=timezone.now())
    attempt = Attempt.objects.get()
    page = instructor_client.get(reverse("insight:attempt", args=[attempt.pk]))
    assert page.status_code == 200
    assert "a deleted account" in page.content.decode()
    analysis = instructor_client.get(reverse("insight:item_analysis", args=[certification.pk]))
    assert analysis.status_code == 200
    assert "Alice" not in analysis.content.decode()
    gradebook = instructor_client.get(reverse("insight:gradebook"))
    assert gradebook.status_code == 200
    assert "Alice" not in gradebook.content.decode()
    assert instructor_client.get(reverse("insight:cohort")).status_code == 200


# --- Retention -------------------------------------------------------------------------------


def test_a_record_is_kept_three_years_after_the_training_and_not_before_it_expires(
    certified_alice,
):
    record = CompletionRecord.objects.get()
    assert record.retain_until == record.issued_at + timedelta(days=1096)
    record.expires_at = record.issued_at + timedelta(days=2000)
    assert record.retain_until == record.expires_at


def test_no_one_deletes_a_record_before_its_retention_date(certified_alice):
    record = CompletionRecord.objects.get()
    with pytest.raises(RecordRetained):
        record.delete()
    with pytest.raises(RecordRetained):
        CompletionRecord.objects.all().delete()
    assert CompletionRecord.objects.exists()


def test_the_admin_refuses_to_delete_a_record_before_its_retention_date_and_says_why(
    client, make_user, certified_alice
):
    client.force_login(make_user("root@example.com", "Root", is_staff=True, is_superuser=True))
    record = CompletionRecord.objects.get()
    url = reverse("admin:quizzes_completionrecord_delete", args=[record.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert f"kept until {record.retain_until:%Y-%m-%d}" in response.content.decode()
    assert CompletionRecord.objects.exists()


def test_purging_deletes_only_records_past_retention_and_logs_their_codes(
    certified_alice, certification, bob
):
    old = CompletionRecord.objects.get()
    pass_quiz(certification, bob, timezone.now() - timedelta(days=1))
    delete_account(user=certified_alice, actor=certified_alice, now=timezone.now())
    just_before = old.retain_until - timedelta(minutes=1)
    with time_machine.travel(just_before, tick=False):
        assert purge_expired_records(now=timezone.now()) == 0
    with time_machine.travel(old.retain_until + timedelta(minutes=1), tick=False):
        out = io.StringIO()
        call_command("purge_expired_records", stdout=out)
    assert "Deleted 1 record past retention." in out.getvalue()
    assert list(CompletionRecord.objects.values_list("holder_name", flat=True)) == ["Bob Brown"]
    entry = AuditLogEntry.objects.get(action="quizzes.record.purged")
    assert entry.data["codes"] == [old.verification_code]


def test_a_deleted_trainees_name_and_email_stay_nowhere_in_the_trail(certified_alice, instructor):
    delete_account(user=certified_alice, actor=instructor, now=timezone.now())
    for entry in AuditLogEntry.objects.all():
        written = str([entry.object_repr, entry.before, entry.after, entry.data])
        assert "Alice" not in written and "alice@example.com" not in written
