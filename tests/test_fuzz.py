"""Every form and POST endpoint, fed random and malformed input by hypothesis.

Whatever arrives (NUL characters, 100 kB strings, unicode digits such as '²' or '٣', missing
fields, a list where one value is expected), the site never answers 5xx, and a request it
refuses changes no row of any table. A request it accepts (a redirect with no error message)
may change rows: that is its job.

The examples are derandomized, so CI is stable; FUZZ_EXAMPLES=1000 searches harder locally.
"""

import json
import os
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.messages import ERROR, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from quizzes.attempts import start_attempt
from tests.conftest import PASSWORD

settings.register_profile(
    "fuzz",
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the fixtures' rows are meant to be shared
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FUZZ = settings.get_profile("fuzz")

# --- What arrives ------------------------------------------------------------------------------

UNICODE_DIGITS = ["²", "٣", "١٢٣", "۴", "߁", "𝟙", "Ⅻ", "¹⁰", "๓"]
ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "1.5",
    "1e9",
    "99999999999999999999",
    "9" * 5000,
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\ud7ff\ufeff\u202e",
    "=1+1",
    "\r\n\t",
]


def huge(char):
    return char * 100_000


nasty = st.one_of(
    st.text(max_size=40),
    st.sampled_from(ODD + UNICODE_DIGITS),
    st.text(max_size=10).map(lambda s: s + "\x00"),
    st.sampled_from(["x", "²", "\x00", "é"]).map(huge),
    st.integers().map(str),
)


def field(*good):
    """A form field: the values a person might type (nothing nasty), if any are given."""
    return st.sampled_from(good) if good else nasty


@st.composite
def form(draw, **fields):
    """A POST or GET body: some fields as a person fills them, the others broken.

    A broken field is missing, nasty, or a list of values where one is expected.
    """
    broken = draw(st.sets(st.sampled_from(sorted(fields)))) if fields else set()
    body = {}
    for name, good in fields.items():
        if name not in broken:
            body[name] = draw(good)
            continue
        how = draw(st.sampled_from(["missing", "nasty", "list"]))
        if how == "nasty":
            body[name] = draw(nasty)
        elif how == "list":
            body[name] = draw(st.lists(st.one_of(good, nasty), min_size=2, max_size=3))
    return body


# --- What it does to the database --------------------------------------------------------------


# Sessions hold a visitor's messages (an error message too long for its cookie moves there)
# and logins: the visitor's state, not the site's data.
VISITOR_STATE = ("sessions.Session",)


def snapshot(skip=()):
    """Every row of every table (a few dozen rows in these tests)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label not in (*VISITOR_STATE, *skip)
    }


def accepted(response):
    """A request the site took: it moved on (a redirect or a saved answer), with no error."""
    if response.status_code >= 500:
        return False
    moved_on = response.status_code in (301, 302, 303) or (
        response.status_code == 200 and response.get("Content-Type") == "application/json"
    )
    refused = any(m.level >= ERROR for m in get_messages(response.wsgi_request))
    return moved_on and not refused


def send(client, method, url, data=None, *, skip=(), **extra):
    """Make the request; assert no 5xx, and no change to any row unless it was accepted."""
    before = snapshot(skip)
    response = getattr(client, method)(url, data or {}, **extra)
    assert response.status_code < 500, f"{method.upper()} {url} {data!r:.300} -> 500"
    took = accepted(response)
    event(f"{method.upper()} /{url.split('/')[1]}/: {'accepted' if took else 'refused or shown'}")
    if not took:
        after = snapshot(skip)
        changed = [label for label in before if before[label] != after[label]]
        assert not changed, (
            f"{method.upper()} {url} {data!r:.300} was refused "
            f"({response.status_code}) but changed {changed}"
        )
    return response


@contextmanager
def alone():
    """Run one example in a savepoint that is rolled back: no example sees another's rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def signed_in(user):
    """A new client, signed in as the user (in the example's savepoint)."""
    client = Client()
    client.force_login(user)
    return client


# A failed login is counted: those rows are the throttles doing their job, not data.
LOGIN_RECORDS = (
    "accounts.Throttle",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
)


# --- Accounts ----------------------------------------------------------------------------------


@pytest.mark.django_db
@FUZZ
@given(
    form(
        email=field("new@example.com", "alice@example.com", "ALICE@example.com", "a@b"),
        full_name=field("New Person", "  "),
        job_title=field("Artist", ""),
        password1=field(PASSWORD, "short"),
        password2=field(PASSWORD),
    )
)
@example(
    {
        "email": "new@example.com",
        "full_name": "New Person",
        "job_title": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
)
def test_sign_up_never_fails_and_a_refused_one_creates_nobody(alice, data):
    with alone():
        send(Client(), "post", reverse("accounts:signup"), data)


@pytest.mark.django_db
@FUZZ
@given(
    url=st.sampled_from(["login", "admin:login"]),
    data=form(
        username=field("alice@example.com", "ines@example.com", "x" * 300),
        password=field(PASSWORD, "wrong"),
    ),
)
@example(url="login", data={"username": "alice@example.com", "password": PASSWORD})
# Were 500s: a huge username reached the database (SQLite: "LIKE pattern too complex").
@example(url="login", data={"username": ["alice@example.com", "x" * 100_000], "password": "0"})
@example(url="admin:login", data={"username": "x" * 300, "password": "0"})
@example(url="admin:login", data={"username": "ines@example.com", "password": PASSWORD})
def test_login_forms_never_fail(instructor, alice, url, data):
    with alone():
        send(Client(), "post", reverse(url), data, skip=LOGIN_RECORDS)


@pytest.mark.django_db
@FUZZ
@given(form(full_name=field("Alice Changed"), job_title=field("Artist", "")))
@example({"full_name": "Alice Changed", "job_title": "Artist"})
def test_profile_never_fails_and_a_refused_one_changes_nothing(alice, data):
    with alone():
        send(signed_in(alice), "post", reverse("accounts:profile"), data)


# --- Answering and submitting --------------------------------------------------------------------


@pytest.fixture
def practice_attempt(quiz_factory, alice):
    quiz = quiz_factory(slug="practice", topics=1, per_topic=4)
    return start_attempt(quiz=quiz, trainee=alice, now=timezone.now())


@pytest.mark.django_db
@FUZZ
@given(
    position=st.integers(0, 6),
    data=form(
        choice=field("1", "2", "3", "4", "5"),
        go=field("next", "prev", "review", "stay", "check", "2"),
    ),
    json_accept=st.booleans(),
)
@example(position=1, data={"choice": "2", "go": "next"}, json_accept=False)
@example(position=2, data={"choice": "1", "go": "stay"}, json_accept=True)
def test_saving_an_answer_never_fails(alice, practice_attempt, position, data, json_accept):
    url = f"/attempts/{practice_attempt.pk}/questions/{position}/"
    headers = {"Accept": "application/json"} if json_accept else {}
    with alone():
        send(signed_in(alice), "post", url, data, headers=headers)


@pytest.mark.django_db
@FUZZ
@given(form(confirm=field("yes", "no")))
@example({"confirm": "yes"})
def test_submitting_never_fails(alice, practice_attempt, data):
    with alone():
        url = reverse("quizzes:submit", args=[practice_attempt.pk])
        send(signed_in(alice), "post", url, data)


# --- Public verification ------------------------------------------------------------------------


@pytest.mark.django_db
@FUZZ
@given(code=nasty, suffix=st.sampled_from(["/", ".json", ".jwt"]))
def test_verification_never_fails(code, suffix):
    client = Client()
    with alone():
        send(client, "get", reverse("quizzes:verify_form"), {"code": code})
        if code:
            send(client, "get", f"/verify/{quote(code[:2000], safe='')}{suffix}")


# --- Instructors -------------------------------------------------------------------------------


@pytest.fixture
def bank(quiz_factory):
    return quiz_factory(slug="bank", topics=2, per_topic=3)


def json_bank(prompt, key, choice, kind, correct):
    topic = {"slug": "fuzz-topic", "name": "Fuzz topic", "questions": []}
    topic["questions"].append(
        {
            "key": key,
            "kind": kind,
            "prompt": prompt,
            "explanation": "Because.",
            "choices": [
                {"text": choice, "correct": correct},
                {"text": "Other", "correct": not correct},
            ],
        }
    )
    return json.dumps({"topics": [topic]}).encode()


uploads = st.one_of(
    st.builds(
        json_bank,
        prompt=st.one_of(st.just("A fuzzed prompt?"), nasty),
        key=st.one_of(st.just("fuzz-1"), nasty),
        choice=st.one_of(st.just("Right"), nasty),
        kind=st.sampled_from(["single", "true_false", "multiple", "", "²"]),
        correct=st.booleans(),
    ).map(lambda body: ("bank.json", body)),
    st.tuples(
        st.sampled_from(["bank.gift", "bank.txt", "bank", "x" * 300 + ".gift"]),
        st.one_of(
            st.binary(max_size=200),
            nasty.map(lambda s: f"::fuzz::{s}{{=Right ~Wrong}}".encode("utf-8", "replace")),
            nasty.map(lambda s: s.encode("utf-8", "replace")),
        ),
    ),
)


@pytest.mark.django_db
@FUZZ
@given(upload=uploads, topic=field())
@example(upload=("bank.json", json_bank("A prompt?", "fuzz-1", "Right", "single", True)), topic="")
@example(upload=("bank.gift", b"::fuzz::A prompt?{=Right ~Wrong}"), topic="")
def test_bank_imports_never_fail(instructor, bank, upload, topic):
    name, body = upload
    data = {"file": SimpleUploadedFile(name, body)}
    if topic != "":
        data["topic"] = topic
    with alone():
        client = signed_in(instructor)
        response = send(client, "post", reverse("admin:quizzes_question_import"), data)
        if accepted(response):
            # The preview, then applying it: the file was checked, so the import must hold.
            send(client, "get", response["Location"])
            send(client, "post", response["Location"])


def question_form(topic_id):
    choices = [
        {
            "order": field("0"),
            "text": field("Right"),
            "is_correct": field("on"),
            "feedback": field(""),
        },
        {
            "order": field("1"),
            "text": field("Wrong"),
            "is_correct": field(""),
            "feedback": field(""),
        },
    ]
    # The formset's counts: as the page sends them, or small and malformed. A count of
    # thousands is refused (Django's absolute_max) but its forms still render: only slow.
    count = st.sampled_from(["0", "1", "3", "-1", "", "x", "²", "٣", "\x00", "1.5"])
    management = st.fixed_dictionaries(
        {
            f"choices-{name}": st.one_of(st.just(good), count, st.lists(count, min_size=2))
            for name, good in [
                ("TOTAL_FORMS", "2"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "2"),
                ("MAX_NUM_FORMS", "1000"),
            ]
        }
    )
    fields = form(
        topic=field(str(topic_id)),
        key=field("fuzz-key"),
        kind=field("single"),
        prompt=field("What now?"),
        image_alt=field(""),
        explanation=field("Because."),
        source_document=field(""),
        source_section=field(""),
        usage=field("both", "practice", "certification"),
        critical=field("on"),
        active=field("on"),
        **{
            f"choices-{n}-{name}": value
            for n, choice in enumerate(choices)
            for name, value in choice.items()
        },
    )
    return st.tuples(fields, management).map(lambda parts: {**parts[0], **parts[1]})


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_the_admin_question_form_never_fails(instructor, bank, data):
    body = data.draw(question_form(bank.draw_rules.first().topic_id))
    with alone():
        send(signed_in(instructor), "post", reverse("admin:quizzes_question_add"), body)


@pytest.mark.django_db
@FUZZ
@given(
    gradebook=form(
        quiz=field("1", "2"),
        passed=field("yes", "no"),
        record=field("none", "valid", "revoked"),
        since=field("2026-01-01", "2026-13-45"),
        until=field("2026-12-31"),
        q=field("Alice"),
        sort=field("name", "best"),
        dir=field("asc", "desc"),
        page=field("1", "2", "-1"),
        format=field("csv", "html"),
    ),
    cohort=form(quiz=field("1")),
    analysis=st.sampled_from(["1", "2", "0", "99999999999", "2147483648"]),
)
@example(gradebook={}, cohort={"quiz": "²"}, analysis="1")  # was a 500
def test_instructor_filters_never_fail(instructor, bank, gradebook, cohort, analysis):
    with alone():
        client = signed_in(instructor)
        send(client, "get", reverse("insight:gradebook"), gradebook)
        send(client, "get", reverse("insight:cohort"), cohort)
        send(client, "get", f"/instructor/quizzes/{analysis}/analysis/", cohort)
