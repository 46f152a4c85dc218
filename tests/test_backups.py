"""make backup / make restore: a consistent copy while the site runs, brought back whole."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from quizzes.models import Attempt, CompletionRecord
from quizzes.records import revoke_record
from smptraining import backups
from tests.conftest import pass_quiz


def tools_missing() -> bool:
    if connection.vendor != "postgresql":
        return False
    try:
        backups._pg_tool("pg_dump")
        backups._pg_tool("pg_restore")
    except backups.BackupError:
        return True
    return False


pytestmark = pytest.mark.skipif(tools_missing(), reason="pg_dump and pg_restore not found")


def verify_pages(client, codes, checked_at):
    """The public page of each code, as checked at one moment (the page prints it)."""
    with time_machine.travel(checked_at, tick=False):
        return {
            code: client.get(reverse("quizzes:verify", args=[code])).content.decode()
            for code in codes
        }


@pytest.mark.django_db(transaction=True)
def test_a_backup_brings_back_attempts_and_records_and_verify_pages_answer_the_same(
    client, make_user, quiz_factory, tmp_path
):
    # Not the instructor fixture: an earlier transactional test may have flushed its group.
    instructor = make_user("root@example.com", "Root", is_staff=True, is_superuser=True)
    certification = quiz_factory(slug="cert", purpose="certification", title="SMP Safety")
    alice = make_user("alice@example.com", "Alice Adams")
    bob = make_user("bob@example.com", "Bob Brown")
    pass_quiz(certification, alice, timezone.now() - timedelta(days=3))
    pass_quiz(certification, bob, timezone.now() - timedelta(days=2))
    bobs = CompletionRecord.objects.get(trainee=bob)
    revoke_record(record_id=bobs.pk, reason="Shared answers", actor=instructor, now=timezone.now())
    codes = list(CompletionRecord.objects.values_list("verification_code", flat=True))
    checked_at = timezone.now()
    before = verify_pages(client, codes, checked_at)
    assert "Alice Adams" in before[codes[0]] or "Alice Adams" in before[codes[1]]

    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    (path,) = tmp_path.iterdir()
    assert path.name.startswith(f"smptraining-{timezone.now():%Y%m%d}-")
    assert f"Wrote {path}" in out.getvalue()

    # Life goes on after the backup: a new trainee passes, Alice's record is revoked.
    carol = make_user("carol@example.com", "Carol Clark")
    pass_quiz(certification, carol)
    carols_code = CompletionRecord.objects.get(trainee=carol).verification_code
    alices = CompletionRecord.objects.get(trainee=alice)
    revoke_record(record_id=alices.pk, reason="Mistake", actor=instructor, now=timezone.now())

    call_command("restore", str(path), "--no-input", stdout=io.StringIO())

    assert verify_pages(client, codes, checked_at) == before
    assert not User.objects.filter(email="carol@example.com").exists()
    assert Attempt.objects.filter(submitted_at__isnull=False).count() == 2
    unknown = client.get(reverse("quizzes:verify", args=[carols_code]))
    assert "Carol" not in unknown.content.decode()


def test_restore_refuses_a_missing_file_with_a_clear_message(db, tmp_path):
    with pytest.raises(CommandError, match="There is no backup file at .*Nothing was restored"):
        call_command("restore", str(tmp_path / "nope.sqlite3"), "--no-input")


def test_restore_refuses_a_broken_file_and_changes_nothing(db, tmp_path, alice):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50 + b"garbage")
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(broken), "--no-input")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(CommandError, match="not an? .*backup"):
        call_command("restore", str(not_a_backup), "--no-input")
    assert User.objects.filter(email="alice@example.com").exists()


@pytest.mark.django_db(transaction=True)
def test_restore_asks_first_and_a_no_changes_nothing(tmp_path, make_user, monkeypatch):
    call_command("backup", "--dir", str(tmp_path), stdout=io.StringIO())
    (path,) = tmp_path.iterdir()
    make_user("dave@example.com", "Dave Day")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(path))
    assert User.objects.filter(email="dave@example.com").exists()
