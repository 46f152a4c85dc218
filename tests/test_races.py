"""Races and crashes: twenty requests at once, and a server killed with SIGKILL mid-attempt.

Each thread has its own database connection (Django's are per thread), so the requests race in
the database as they would in several gunicorn workers. On SQLite, IMMEDIATE transactions
serialize the writers; PostgreSQL runs them truly at once, which is what CI checks.
"""

import html
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import start_attempt, submit_attempt
from quizzes.models import Attempt, CompletionRecord, DrawnQuestion
from tests.conftest import PASSWORD, answer_all

THREADS = 20
ROOT = Path(__file__).resolve().parent.parent


def at_once(request, count=THREADS):
    """Run request() in `count` threads released together; return what each returned."""
    barrier = threading.Barrier(count)

    def run(_):
        try:
            barrier.wait()
            return request()
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def signed_in_clients(user, count=THREADS):
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.fixture
def certification(quiz_factory):
    return quiz_factory(slug="cert", purpose="certification", max_attempts=2, cooldown_minutes=0)


@pytest.mark.django_db(transaction=True)
def test_twenty_submits_at_once_grade_once_and_issue_one_record(certification, alice):
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    answer_all(attempt)
    url = reverse("quizzes:submit", args=[attempt.pk])
    clients = iter(signed_in_clients(alice))
    lock = threading.Lock()

    def submit():
        with lock:
            client = next(clients)
        return client.post(url, {"confirm": "yes"})

    responses = at_once(submit)

    result = reverse("quizzes:result", args=[attempt.pk])
    assert [r.status_code for r in responses] == [302] * THREADS
    assert {r["Location"] for r in responses} == {result}
    attempt.refresh_from_db()
    assert attempt.score == 100 and attempt.passed
    assert CompletionRecord.objects.filter(attempt=attempt).count() == 1
    assert CompletionRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_starts_at_once_with_one_attempt_left_start_one(certification, alice):
    first = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    submit_attempt(attempt=first, now=timezone.now())  # failed: nothing answered; one left
    url = reverse("quizzes:start", args=[certification.slug])
    clients = iter(signed_in_clients(alice))
    lock = threading.Lock()

    def start():
        with lock:
            client = next(clients)
        return client.post(url)

    responses = at_once(start)

    assert {r.status_code for r in responses} == {302}
    assert Attempt.objects.filter(trainee=alice, quiz=certification).count() == 2
    second = Attempt.objects.exclude(pk=first.pk).get()
    # Every request either started it or was sent to it: nobody gets a third.
    assert {r["Location"] for r in responses} <= {
        reverse("quizzes:question", args=[second.pk, 1]),
        reverse("quizzes:quiz_detail", args=[certification.slug]),
    }


@pytest.mark.django_db(transaction=True)
def test_twenty_saves_of_different_answers_at_once_keep_one_of_them(quiz_factory, alice):
    quiz = quiz_factory(slug="practice", topics=1, per_topic=3, kinds=("single",))
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    url = reverse("quizzes:question", args=[attempt.pk, 1])
    clients = iter(enumerate(signed_in_clients(alice)))
    lock = threading.Lock()

    def save():
        with lock:
            n, client = next(clients)
        return client.post(url, {"choice": str(n % 3 + 1), "go": "stay"})

    responses = at_once(save)

    assert {r.status_code for r in responses} == {302}
    drawn = DrawnQuestion.objects.get(attempt=attempt, position=1)
    assert drawn.selected in {1 << i for i in range(3)}


# --- A server killed mid-attempt ------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """The test database, as DATABASE_URL spells it, for a server in another process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db["USER"] or "")
    password = urllib.parse.quote(db["PASSWORD"] or "")
    return f"postgres://{user}:{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Server:
    """gunicorn with the production settings (DEBUG off) on the test database."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",  # production, with a test secret
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "smptraining.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: SIGKILL reaches every worker
        )
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited at start-up") from None
                time.sleep(0.1)  # waiting for a process to listen, not timing the site
        raise RuntimeError("gunicorn did not answer /healthz")

    def kill(self):
        """SIGKILL to the master and its workers: no shutdown, no cleanup, as in a crash."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar and the CSRF token, as a browser without JavaScript would send them."""

    def __init__(self, server):
        self.server = server
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def request(self, path, data=None):
        body = None
        if data is not None:
            token = next(c.value for c in self.cookies if c.name == "csrftoken")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
            body = body.encode()
        try:
            with self.opener.open(f"{self.server.url}{path}", body, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:  # redirects and errors both land here
            return error.code, error.headers, error.read().decode()

    def get(self, path):
        return self.request(path)

    def post(self, path, data):
        return self.request(path, data)


def checked_places(page):
    """The places of the choices the question page shows as picked."""
    return [
        int(m[1])
        for m in re.finditer(r'<input[^>]*name="choice" value="(\d+)"[^>]*>', page)
        if " checked" in m[0]
    ]


@pytest.mark.django_db(transaction=True)
def test_a_server_killed_mid_attempt_keeps_every_saved_answer_and_resumes(quiz_factory, alice):
    quiz = quiz_factory(
        slug="cert", purpose="certification", topics=2, per_topic=3, kinds=("single",)
    )
    server = Server()
    server.start()
    try:
        browser = Browser(server)
        browser.get(reverse("login"))
        status, headers, _ = browser.post(
            reverse("login"), {"username": alice.email, "password": PASSWORD}
        )
        assert status == 302, "logged in"
        status, headers, _ = browser.post(reverse("quizzes:start", args=[quiz.slug]), {})
        assert status == 302
        attempt = Attempt.objects.get(trainee=alice)
        assert headers["Location"] == reverse("quizzes:question", args=[attempt.pk, 1])
        picks = {1: 2, 2: 1, 3: 3, 4: 2}  # position: place on the page
        for position, place in picks.items():
            status, _, _ = browser.post(
                reverse("quizzes:question", args=[attempt.pk, position]),
                {"choice": str(place), "go": "next"},
            )
            assert status == 302  # acknowledged: from here on it must survive anything

        server.kill()
        server.start()

        status, headers, _ = browser.get(reverse("quizzes:resume", args=[attempt.pk]))
        assert status == 302
        assert headers["Location"] == reverse("quizzes:question", args=[attempt.pk, 5])
        for position, place in picks.items():
            url = reverse("quizzes:question", args=[attempt.pk, position])
            status, _, page = browser.get(url)
            assert status == 200
            assert checked_places(page) == [place], f"question {position}"
        status, _, page = browser.get(reverse("quizzes:question", args=[attempt.pk, 5]))
        assert checked_places(page) == []
        status, headers, _ = browser.post(
            reverse("quizzes:submit", args=[attempt.pk]), {"confirm": "yes"}
        )
        assert status == 302
        assert headers["Location"] == reverse("quizzes:result", args=[attempt.pk])
        status, _, page = browser.get(reverse("quizzes:result", args=[attempt.pk]))
        assert status == 200
        assert "Not passed — 17%" in html.unescape(page)  # position 2's pick was the right one
    finally:
        server.kill()
    attempt.refresh_from_db()
    assert attempt.is_submitted
    answered = DrawnQuestion.objects.filter(attempt=attempt, selected__isnull=False)
    assert sorted(answered.values_list("position", flat=True)) == [1, 2, 3, 4]
    assert float(attempt.score) == pytest.approx(100 / 6, abs=0.01)
