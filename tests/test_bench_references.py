"""The reference pages `make bench` measures beside the site (bench/reference_urls.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import start_attempt

pytestmark = pytest.mark.urls("bench.reference_urls")


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    # The same statements; the times in them (session expiry) are a moment apart.
    return [re.sub(r"'\d{4}-\d\d-\d\d [^']*'", "'<time>'", q["sql"]) for q in captured]


def test_the_question_reference_makes_the_question_pages_queries(alice_client, alice, quiz_factory):
    quiz = quiz_factory(slug="certification", purpose="certification")
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    page_queries = queries_of(alice_client, reverse("quizzes:question", args=[attempt.pk, 1]))
    reference_queries = queries_of(alice_client, f"/bench/question-queries/{attempt.pk}/1/")
    assert reference_queries == page_queries


def test_the_references_are_for_signed_in_users_and_only_their_own_attempts(
    client, bob, alice, quiz_factory
):
    attempt = start_attempt(quiz=quiz_factory(), trainee=alice, now=timezone.now())
    for url in ("/bench/bare/", f"/bench/question-queries/{attempt.pk}/1/"):
        assert client.get(url).url.startswith(reverse("login"))
    client.force_login(bob)
    assert client.get("/bench/bare/").content == b"ok"
    assert client.get(f"/bench/question-queries/{attempt.pk}/1/").status_code == 404
