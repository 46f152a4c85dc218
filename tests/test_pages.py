import re

import pytest
from django.db import DatabaseError
from django.urls import reverse

EXTERNAL_REFERENCE = re.compile(r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//""", re.I)


@pytest.mark.parametrize(
    "url_name", ["home", "login", "accounts:signup", "password_reset", "logout"]
)
def test_anonymous_pages_reference_no_other_host(client, db, url_name):
    html = client.get(reverse(url_name)).content.decode()
    assert not EXTERNAL_REFERENCE.search(html)
    assert "/static/bootstrap/css/bootstrap.min.css" in html


@pytest.mark.parametrize("url_name", ["home", "accounts:profile", "password_change"])
def test_signed_in_pages_reference_no_other_host(alice_client, url_name):
    html = alice_client.get(reverse(url_name)).content.decode()
    assert not EXTERNAL_REFERENCE.search(html)


def test_pages_have_a_skip_link_and_landmarks(client, db):
    html = client.get(reverse("home")).content.decode()
    assert 'href="#main"' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html


def test_pages_carry_no_inline_script_or_style(alice_client):
    html = alice_client.get(reverse("home")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_home_page_tells_a_visitor_how_to_start(client, db):
    html = client.get(reverse("home")).content.decode()
    assert reverse("accounts:signup") in html
    assert reverse("login") in html


def test_the_home_page_greets_a_signed_in_trainee_and_names_them_once(alice_client):
    html = alice_client.get(reverse("home")).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "<h1>Welcome</h1>" in main
    assert main.count("Alice Adams") == 1  # where the records print it


def test_the_navigation_shows_the_instructor_home_only_to_instructors(alice_client, instructor):
    link = f'href="{reverse("insight:home")}"'
    assert link not in alice_client.get(reverse("quizzes:quiz_list")).content.decode()
    alice_client.force_login(instructor)
    assert link in alice_client.get(reverse("quizzes:quiz_list")).content.decode()


def test_the_kept_navigation_follows_whoever_asks(client, alice, instructor):
    """The chrome is cached per language and role; names and the log-out token are not."""
    from django.test import Client

    page = reverse("quizzes:verify_form")  # a page anyone may open
    assert "Log in" in client.get(page).content.decode()
    client.force_login(instructor)
    assert f'href="{reverse("insight:home")}"' in client.get(page).content.decode()
    trainee = Client(enforce_csrf_checks=True)
    trainee.force_login(alice)
    alice.full_name = "Alice Renamed"
    alice.save(update_fields=["full_name"])
    html = trainee.get(page).content.decode()
    assert f'href="{reverse("insight:home")}"' not in html
    assert "Log in" not in html
    assert "Alice Renamed" in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert trainee.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in trainee.session


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503


def test_every_page_forbids_inline_script_and_other_hosts(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_only_the_admin_allows_style_attributes(client, db):
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"]
    admin_policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in admin_policy
    assert "script-src 'self';" in admin_policy
