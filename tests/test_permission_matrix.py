"""Every URL of the site, asked by everyone: who gets the page, a login, a 403, a 404 or a 405.

The table below lists every URL pattern of the URLconf by name, with what each person gets.
A pattern missing from it fails `test_every_url_pattern_is_in_the_matrix`, so a new URL is
covered by construction: add a row to URLS (or a model to ADMIN_MODELS) when you add a URL.

The people, in the table's column order: anonymous, trainee A (on her own objects), trainee B
(on A's objects), an instructor, a superuser. Objects in the URLs are always A's.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from academy.models import Academy, Trainer
from quizzes.attempts import set_override, start_attempt, submit_attempt
from quizzes.models import BankImport, CompletionRecord
from tests.conftest import answer_all

# What a request gets.
OK = 200
LOGIN = "login"  # a redirect to the site's login page, with ?next=
ADMIN_LOGIN = "admin login"  # a redirect to the admin's login page, with ?next=
REDIRECT = "redirect"  # a redirect elsewhere (a next step, never a login)
BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
GONE = 410

ROLES = ("anonymous", "trainee A", "trainee B", "instructor", "superuser")


@dataclass
class Case:
    """One method on one URL: its arguments (built from the world) and what each role gets.

    `expect` is in ROLES order: anonymous, A, B on A's objects, instructor, superuser.
    """

    method: str
    expect: tuple
    kwargs: Any = None  # a function of the world giving the URL's arguments
    data: dict = field(default_factory=dict)
    head: tuple | None = None  # what HEAD gets, when it differs from GET


def get(*expect, kwargs=None, head=None):
    return Case("GET", expect, kwargs, head=head)


def post(*expect, kwargs=None, data=None):
    return Case("POST", expect, kwargs, data or {})


EVERYONE = (OK, OK, OK, OK, OK)
SIGNED_IN = (LOGIN, OK, OK, OK, OK)
STAFF = (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK, OK)
OWNER_ONLY = (LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)
POST_ONLY = (LOGIN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)


def open_attempt(w):
    return {"attempt_id": w.open_attempt.pk}


def graded_attempt(w):
    return {"attempt_id": w.graded_attempt.pk}


def record_code(w):
    return {"code": w.record.verification_code}


# Every URL pattern outside the admin, by name: the cases to request. Add yours here.
URLS = {
    # Instructors (a superuser counts as one) start from their own home page.
    "home": [get(OK, OK, OK, REDIRECT, REDIRECT)],
    "healthz": [get(*EVERYONE)],
    "media": [get(*EVERYONE, kwargs=lambda w: {"name": w.illustration})],
    # Accounts
    "accounts:signup": [get(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT)],
    "accounts:signup_done": [get(*EVERYONE)],
    # A's link works for whoever holds it (it is the secret); A is verified, so using it says so.
    "accounts:verify_email": [
        get(*EVERYONE, kwargs=lambda w: verification_link(w.alice)),
        get(*(BAD_REQUEST,) * 5, kwargs=lambda w: {**verification_link(w.alice), "token": "x-y"}),
        post(*(BAD_REQUEST,) * 5, kwargs=lambda w: verification_link(w.alice)),
    ],
    "accounts:resend_verification_email": [
        get(*POST_ONLY),
        post(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ],
    "accounts:profile": [get(*SIGNED_IN)],
    "accounts:export_data": [get(*SIGNED_IN)],
    # A wrong password: the form again, nothing deleted.
    "accounts:delete_account": [
        get(*SIGNED_IN),
        post(LOGIN, OK, OK, OK, OK, data={"password": "x"}),
    ],
    "login": [get(*EVERYONE)],
    "logout": [get(*EVERYONE), post(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)],
    "password_change": [get(*SIGNED_IN)],
    "password_change_done": [get(*SIGNED_IN)],
    "password_reset": [get(*EVERYONE)],
    "password_reset_done": [get(*EVERYONE)],
    # A's reset link works for whoever holds it (it is the secret); a wrong one shows its error.
    "password_reset_confirm": [
        get(*(REDIRECT,) * 5, kwargs=lambda w: reset_link(w.alice)),
        get(*EVERYONE, kwargs=lambda w: {**reset_link(w.alice), "token": "wrong-token"}),
    ],
    "password_reset_complete": [get(*EVERYONE)],
    # Study and quizzes
    "quizzes:topic_list": [get(*SIGNED_IN)],
    "quizzes:sources": [get(*EVERYONE)],
    "quizzes:topic_detail": [
        get(*SIGNED_IN, kwargs=lambda w: {"slug": "topic-1"}),
        get(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=lambda w: {"slug": "nope"}),
    ],
    "quizzes:quiz_list": [get(*SIGNED_IN)],
    "quizzes:quiz_detail": [
        get(*SIGNED_IN, kwargs=lambda w: {"slug": w.practice.slug}),
        get(*OWNER_ONLY[:1], *(NOT_FOUND,) * 4, kwargs=lambda w: {"slug": w.draft.slug}),
    ],
    "quizzes:start": [
        get(*POST_ONLY, kwargs=lambda w: {"slug": w.practice.slug}),
        post(LOGIN, *(REDIRECT,) * 4, kwargs=lambda w: {"slug": w.practice.slug}),
        post(LOGIN, *(NOT_FOUND,) * 4, kwargs=lambda w: {"slug": w.draft.slug}),
    ],
    # A trainee's attempts: A's own, a 404 for anyone else (instructors read them in /instructor/).
    "quizzes:resume": [
        get(LOGIN, REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, kwargs=open_attempt),
    ],
    "quizzes:question": [
        get(*OWNER_ONLY, kwargs=lambda w: {**open_attempt(w), "position": 1}),
        post(
            LOGIN,
            REDIRECT,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
            kwargs=lambda w: {**open_attempt(w), "position": 1},
            data={"choice": "1", "go": "next"},
        ),
        get(
            *OWNER_ONLY[:1], *(NOT_FOUND,) * 4, kwargs=lambda w: {**open_attempt(w), "position": 99}
        ),
    ],
    "quizzes:review": [get(*OWNER_ONLY, kwargs=open_attempt)],
    "quizzes:submit": [
        get(*POST_ONLY, kwargs=open_attempt),
        post(
            LOGIN,
            REDIRECT,
            NOT_FOUND,
            NOT_FOUND,
            NOT_FOUND,
            kwargs=open_attempt,
            data={"confirm": "yes"},
        ),
    ],
    "quizzes:result": [get(*OWNER_ONLY, kwargs=graded_attempt)],
    "quizzes:history": [get(*SIGNED_IN)],
    "quizzes:practice_missed": [
        get(*POST_ONLY),
        post(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ],
    # Completion records: the holder's own, and the public verification.
    "quizzes:my_records": [get(*SIGNED_IN)],
    "quizzes:record_pdf": [get(*OWNER_ONLY, kwargs=record_code)],
    "quizzes:verify_form": [get(*EVERYONE)],
    # Retired: it named revoked credentials and reasons; the status list replaces it.
    "quizzes:revocation_list": [get(*(GONE,) * 5)],
    "quizzes:status_list": [get(*EVERYONE)],
    "quizzes:status_list_json": [get(*EVERYONE)],
    "quizzes:verify_json": [get(*EVERYONE, kwargs=record_code)],
    "quizzes:verify_jwt": [get(*EVERYONE, kwargs=record_code)],
    "quizzes:verify": [
        get(*EVERYONE, kwargs=record_code),
        get(*(NOT_FOUND,) * 5, kwargs=lambda w: {"code": "A" * 32}),
    ],
    "quizzes:verify_malformed": [get(*(NOT_FOUND,) * 5, kwargs=lambda w: {"code": "not-a-code"})],
    "quizzes:issuer_profile": [get(*EVERYONE)],
    "quizzes:jwks": [get(*EVERYONE)],
    # Instructor pages (in the admin's look): staff with the right to read attempts.
    "insight:home": [get(*STAFF)],
    "insight:gradebook": [get(*STAFF)],
    "insight:trainee": [get(*STAFF, kwargs=lambda w: {"user_id": w.alice.pk})],
    "insight:attempt": [get(*STAFF, kwargs=graded_attempt)],
    "insight:item_analysis": [get(*STAFF, kwargs=lambda w: {"quiz_id": w.certification.pk})],
    "insight:cohort": [get(*STAFF)],
    # The admin site's own pages (its model pages are in ADMIN_MODELS below).
    "admin:index": [get(*STAFF)],
    # Django's admin login sends staff on to the index on GET only; HEAD shows the form.
    "admin:login": [get(OK, OK, OK, REDIRECT, REDIRECT, head=EVERYONE)],
    # Logging out is a POST; the admin sends anyone but staff to its index first.
    "admin:logout": [get(REDIRECT, REDIRECT, REDIRECT, NOT_ALLOWED, NOT_ALLOWED)],
    "admin:password_change": [get(*STAFF)],
    "admin:password_change_done": [get(*STAFF)],
    # Asked without its parameters, the autocomplete refuses.
    "admin:autocomplete": [get(*STAFF[:3], FORBIDDEN, FORBIDDEN)],
    "admin:jsi18n": [get(*STAFF)],
    # No model here has a public page of its own.
    "admin:view_on_site": [
        get(
            *STAFF[:3],
            NOT_FOUND,
            NOT_FOUND,
            kwargs=lambda w: {
                "content_type_id": ContentType.objects.get_for_model(w.record).pk,
                "object_id": w.record.pk,
            },
        )
    ],
    "admin:app_list": [
        get(*STAFF, kwargs=lambda w: {"app_label": "quizzes"}),
        # Instructors have no rights on any model of auth (groups).
        get(*STAFF[:3], NOT_FOUND, OK, kwargs=lambda w: {"app_label": "auth"}),
    ],
    # UserAdmin's own page: setting someone's password needs the right to change users.
    "admin:auth_user_password_change": [
        get(*STAFF[:3], FORBIDDEN, OK, kwargs=lambda w: {"id": w.alice.pk}),
    ],
    "admin:quizzes_question_preview": [
        get(*STAFF, kwargs=lambda w: {"question_id": w.question.pk}),
    ],
    "admin:quizzes_question_import": [get(*STAFF)],
    "admin:quizzes_question_export": [
        get(*STAFF, kwargs=lambda w: {"file_format": "json"}),
        get(*STAFF, kwargs=lambda w: {"file_format": "gift"}),
    ],
    "admin:quizzes_question_import_preview": [
        get(*STAFF, kwargs=lambda w: {"import_id": w.upload.pk}),
    ],
}

# Every model in the admin, with the object its change page opens and what an instructor gets
# on its list, add and change pages (anyone but staff goes to the admin login; a superuser sees
# all three, except the add page of rows only workflows write).
READ_ONLY = (OK, FORBIDDEN, OK)  # instructors and superusers read, nobody adds
ADMIN_MODELS = {
    "accounts.user": (lambda w: w.alice, (OK, FORBIDDEN, OK), (OK, OK, OK)),
    "auth.group": (lambda w: w.group, (FORBIDDEN,) * 3, (OK, OK, OK)),
    "quizzes.topic": (lambda w: w.question.topic, (OK, OK, OK), (OK, OK, OK)),
    "quizzes.question": (lambda w: w.question, (OK, OK, OK), (OK, OK, OK)),
    "quizzes.quiz": (lambda w: w.certification, (OK, OK, OK), (OK, OK, OK)),
    "quizzes.attempt": (lambda w: w.graded_attempt, READ_ONLY, READ_ONLY),
    "quizzes.attemptoverride": (lambda w: w.override, (OK, OK, OK), (OK, OK, OK)),
    "quizzes.completionrecord": (lambda w: w.record, READ_ONLY, READ_ONLY),
    "quizzes.auditlogentry": (lambda w: w.audit_entry, READ_ONLY, READ_ONLY),
    # The academy and its trainers, printed on certificates: superusers only; one academy.
    "academy.academy": (lambda w: Academy.objects.get(), (FORBIDDEN,) * 3, (OK, FORBIDDEN, OK)),
    "academy.trainer": (
        lambda w: Trainer.objects.get_or_create(name="Tess Trainer")[0],
        (FORBIDDEN,) * 3,
        (OK, OK, OK),
    ),
    # django-axes' records of logins: superusers only.
    "axes.accessattempt": (lambda w: w.axes_rows["accessattempt"], (FORBIDDEN,) * 3, READ_ONLY),
    "axes.accesslog": (lambda w: w.axes_rows["accesslog"], (FORBIDDEN,) * 3, READ_ONLY),
    "axes.accessfailurelog": (
        lambda w: w.axes_rows["accessfailurelog"],
        (FORBIDDEN,) * 3,
        READ_ONLY,
    ),
}
ADMIN_MODEL_PAGES = ("changelist", "add", "change")


def url_patterns(patterns=None, namespace=""):
    """(qualified name or None, route, view) of every pattern in the URLconf, depth first."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for name, route, view in url_patterns(entry.url_patterns, inner):
                yield name, f"{entry.pattern}{route}", view
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, str(entry.pattern), entry.callback


def admin_model_page(name):
    """The model ("app.model") of a standard admin model page name, or None."""
    match = re.fullmatch(r"admin:(\w+?)_(\w+)_(changelist|add|history|delete|change)", name)
    if match is None:
        return None
    label = f"{match[1]}.{match[2]}"
    registered = {m._meta.label_lower for m in admin.site._registry}
    return label if label in registered else None


def test_every_url_pattern_is_in_the_matrix():
    missing = []
    for name, route, view in url_patterns():
        if name is None:
            # Django's own unnamed patterns: the admin's catch-all and its old change links.
            if view.__module__.startswith("django."):
                continue
            missing.append(f"the unnamed pattern {route!r}: give it a name, then add it to URLS")
        elif name not in URLS and admin_model_page(name) is None:
            missing.append(f"{name!r} ({route}): add a row to URLS in {__file__}")
    for model in admin.site._registry:
        if model._meta.label_lower not in ADMIN_MODELS:
            missing.append(
                f"the admin of {model._meta.label_lower}: add it to ADMIN_MODELS in {__file__}"
            )
    assert not missing, "URLs not covered by the permission matrix:\n" + "\n".join(missing)


def test_the_matrix_lists_no_url_that_is_gone():
    names = {name for name, _, _ in url_patterns()}
    assert set(URLS) <= names, f"Remove from URLS: {sorted(set(URLS) - names)}"


# --- The world every case runs in ---------------------------------------------------------


@dataclass
class World:
    alice: Any
    bob: Any
    instructor: Any
    superuser: Any
    certification: Any
    practice: Any
    draft: Any
    graded_attempt: Any
    open_attempt: Any
    record: Any
    question: Any
    upload: Any
    override: Any
    audit_entry: Any
    group: Any
    illustration: str
    axes_rows: dict


def reset_link(user):
    """The arguments of a password reset link for the user, valid now (a login voids it)."""
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def verification_link(user):
    """The arguments of the user's email verification link, valid now."""
    from accounts.verification import link_arguments

    return link_arguments(user)


def axes_rows():
    """One row of each of django-axes' models, when it is installed."""
    if not apps.is_installed("axes"):
        return {}
    common = {
        "user_agent": "Matrix",
        "ip_address": "127.0.0.1",
        "username": "alice@example.com",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    return {
        "accessattempt": apps.get_model("axes", "AccessAttempt").objects.create(
            **common, get_data="", post_data="", failures_since_start=1
        ),
        "accesslog": apps.get_model("axes", "AccessLog").objects.create(**common),
        "accessfailurelog": apps.get_model("axes", "AccessFailureLog").objects.create(**common),
    }


@pytest.fixture
def world(quiz_factory, alice, bob, instructor, make_user):
    from django.contrib.auth.models import Group

    from quizzes.models import AuditLogEntry

    now = timezone.now()
    certification = quiz_factory(slug="cert", purpose="certification", max_attempts=3, per_topic=3)
    practice = quiz_factory(slug="practice", purpose="practice", topics=1, per_topic=3)
    draft = quiz_factory(slug="draft", purpose="practice", published=False, topics=1, per_topic=1)
    graded = start_attempt(quiz=certification, trainee=alice, now=now)
    answer_all(graded)
    graded = submit_attempt(attempt=graded, now=now)
    override = set_override(
        trainee=alice,
        quiz=certification,
        extra_minutes=10,
        extra_attempts=0,
        lift_cooldown=False,
        reason="Dyslexia",
        actor=instructor,
        now=now,
    )
    upload = BankImport.objects.create(
        uploaded_by=instructor, file_name="bank.json", format="json", content=b'{"topics": []}'
    )
    illustration = default_storage.save(
        "illustrations/matrix.svg", ContentFile(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    )
    return World(
        alice=alice,
        bob=bob,
        instructor=instructor,
        superuser=make_user("root@example.com", "Rita Root", is_staff=True, is_superuser=True),
        certification=certification,
        practice=practice,
        draft=draft,
        graded_attempt=graded,
        open_attempt=start_attempt(quiz=practice, trainee=alice, now=now),
        record=CompletionRecord.objects.get(trainee=alice),
        question=certification.draw_rules.first().topic.questions.first(),
        upload=upload,
        override=override,
        audit_entry=AuditLogEntry.objects.first(),
        group=Group.objects.get(name="Instructors"),
        illustration=illustration,
        axes_rows=axes_rows(),
    )


def clients(world):
    """A fresh client per role, in ROLES order, each signed in as its person."""
    people = [None, world.alice, world.bob, world.instructor, world.superuser]
    made = []
    for person in people:
        client = Client()
        if person is not None:
            client.force_login(person)
        made.append(client)
    return made


def outcome(response, url):
    """What the response is, in the table's words."""
    if response.status_code != 302:
        return response.status_code
    location = response.headers["Location"]
    if location.startswith(reverse("admin:login") + "?next="):
        return ADMIN_LOGIN
    if location.startswith(reverse("login") + "?next="):
        return LOGIN
    return REDIRECT


def check(world, name, case, enforce_csrf=False):
    """Request the case as every role; return the mismatches as readable lines."""
    made = clients(world)
    kwargs = case.kwargs(world) if case.kwargs else {}
    url = reverse(name, kwargs=kwargs)
    problems = []
    # A last: what A's POST changes (an answer, a submit) must not decide what others get.
    for i in [0, 2, 3, 4, 1]:
        client, role, expected = made[i], ROLES[i], case.expect[i]
        response = getattr(client, case.method.lower())(url, case.data)
        got = outcome(response, url)
        if got != expected:
            problems.append(f"{case.method} {url} as {role}: expected {expected}, got {got}")
        if case.method == "GET":
            head = outcome(client.head(url), url)
            head_expected = case.head[i] if case.head else got
            if head != head_expected:
                problems.append(
                    f"HEAD {url} as {role}: expected {head_expected} (as GET), got {head}"
                    " (a view that answers GET must answer HEAD: use @require_safe)"
                )
    return problems


@pytest.mark.parametrize("name", sorted(URLS))
def test_url_answers_each_role_as_the_matrix_says(world, name):
    problems = []
    for case in URLS[name]:
        problems += check(world, name, case)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("label", sorted(ADMIN_MODELS))
def test_admin_model_pages_answer_each_role_as_the_matrix_says(world, label):
    target, instructor, superuser = ADMIN_MODELS[label]
    problems = []
    obj = target(world)
    app_label, model_name = label.split(".")
    for page, for_instructor, for_superuser in zip(
        ADMIN_MODEL_PAGES, instructor, superuser, strict=True
    ):
        case = get(
            ADMIN_LOGIN,
            ADMIN_LOGIN,
            ADMIN_LOGIN,
            for_instructor,
            for_superuser,
            kwargs=(lambda w, obj=obj: {"object_id": obj.pk}) if page == "change" else None,
        )
        problems += check(world, f"admin:{app_label}_{model_name}_{page}", case)
    assert not problems, "\n".join(problems)


def post_cases():
    return [
        (name, case)
        for name, cases in sorted(URLS.items())
        for case in cases
        if case.method == "POST"
    ]


@pytest.mark.parametrize(
    ("name", "case"), post_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_post_is_refused_without_the_csrf_token(world, name, case):
    kwargs = case.kwargs(world) if case.kwargs else {}
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(reverse(name, kwargs=kwargs), case.data)
    assert response.status_code == 403
