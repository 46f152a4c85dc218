"""Signed-in responses stay out of caches; sessions end with the browser or when left idle."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import start_attempt, submit_attempt
from quizzes.models import CompletionRecord
from tests.conftest import PASSWORD, answer_all

NO_STORE = "private, no-store"


@pytest.fixture
def record(quiz_factory, alice):
    quiz = quiz_factory(slug="cert", purpose="certification")
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True)
    submit_attempt(attempt=attempt, now=timezone.now())
    return CompletionRecord.objects.get()


def test_signed_in_pages_and_files_are_never_stored(alice_client, record):
    for url in [
        reverse("home"),
        reverse("quizzes:result", args=[record.attempt_id]),
        reverse("quizzes:record_pdf", args=[record.verification_code]),
        reverse("quizzes:verify_json", args=[record.verification_code]),
    ]:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_public_pages_for_visitors_keep_their_own_caching(client, record):
    for url in [
        reverse("quizzes:verify", args=[record.verification_code]),
        reverse("quizzes:verify_json", args=[record.verification_code]),
        reverse("quizzes:verify_form"),
    ]:
        response = client.get(url)
        assert "no-store" not in response.get("Cache-Control", ""), url


def login(client, keep=False):
    data = {"username": "alice@example.com", "password": PASSWORD}
    if keep:
        data["keep_signed_in"] = "on"
    response = client.post(reverse("login"), data)
    assert response.status_code == 302
    return response.cookies["sessionid"]


def test_the_keep_me_signed_in_box_is_unticked_by_default(client, db):
    form = client.get(reverse("login")).context["form"]
    assert "keep_signed_in" in form.fields
    assert not form["keep_signed_in"].value()


def test_unticked_the_session_ends_with_the_browser(client, alice):
    cookie = login(client)
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()


def test_ticked_the_session_outlives_the_browser_for_two_weeks(client, alice):
    cookie = login(client, keep=True)
    assert cookie["max-age"] == 14 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()


def test_an_idle_session_ends_after_two_hours(client, alice):
    login(client)
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        assert client.get(reverse("home")).context["user"].is_anonymous


def test_an_active_session_lives_on_with_one_write_per_hour_at_most(client, alice):
    login(client)
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=20)):
        client.get(reverse("home"))
    assert Session.objects.get(session_key=key).expire_date == expiry  # nothing written
    with time_machine.travel(start + timedelta(minutes=70)):
        client.get(reverse("home"))
    assert Session.objects.get(session_key=key).expire_date > expiry
    with time_machine.travel(start + timedelta(minutes=150)):
        assert client.get(reverse("home")).context["user"] == alice


def test_a_kept_session_also_ends_when_idle_for_two_weeks(client, alice):
    login(client, keep=True)
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        assert client.get(reverse("home")).context["user"].is_anonymous


def test_each_request_reads_its_own_copy_of_the_saved_session(db):
    from smptraining.sessions import SessionStore

    saved = SessionStore()
    saved["basket"] = {"ids": [1]}
    saved.save()
    first = SessionStore(saved.session_key)
    first["basket"]["ids"].append(2)  # changed in place, never saved
    assert SessionStore(saved.session_key)["basket"] == {"ids": [1]}
    first["basket"] = {"ids": [3]}
    first.save()
    assert SessionStore(saved.session_key)["basket"] == {"ids": [3]}


def test_an_unreadable_session_is_reported_each_time_and_never_read(db, caplog):
    from smptraining.sessions import SessionStore

    saved = SessionStore()
    saved["basket"] = {"ids": [1]}
    saved.save()
    Session.objects.filter(session_key=saved.session_key).update(session_data="tampered:data")
    with caplog.at_level("WARNING", logger="django.security.SuspiciousSession"):
        assert dict(SessionStore(saved.session_key).items()) == {}
        assert dict(SessionStore(saved.session_key).items()) == {}
    assert caplog.text.count("Session data corrupted") == 2


def test_a_session_signed_with_a_retired_key_is_not_read(db, settings):
    from smptraining.sessions import SessionStore

    saved = SessionStore()
    saved["basket"] = {"ids": [1]}
    saved.save()
    assert SessionStore(saved.session_key)["basket"] == {"ids": [1]}
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert dict(SessionStore(saved.session_key).items()) == {}
