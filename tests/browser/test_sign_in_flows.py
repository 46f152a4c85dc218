"""Sign-up that gives nothing away, email verification, and "Keep me signed in", at phone and
desktop widths."""

import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.attempts import start_attempt, submit_attempt
from tests.conftest import PASSWORD, answer_all

WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]


def sign_up(page, live_server, audit, email, name):
    page.goto(f"{live_server.url}/accounts/signup/")
    audit()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill(name)
    page.get_by_label(re.compile(r"^\s*Password\*?\s*$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    return page.locator("main").inner_text()


def log_in(page, live_server, audit, email, keep=False):
    page.goto(f"{live_server.url}/accounts/login/")
    audit()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if keep:
        page.get_by_label("Keep me signed in").check()
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    audit()


def wait_for_mail(count):
    for _ in range(50):  # the live server sends after its transaction commits
        if len(mail.outbox) >= count:
            return mail.outbox
        time.sleep(0.1)
    raise AssertionError(f"expected {count} emails, got {len(mail.outbox)}")


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_up_says_the_same_whether_or_not_the_email_is_taken(
    live_server, page, audit, alice, width
):
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server.url}/accounts/signup/")
    audit()
    fits(page, width)
    free = sign_up(page, live_server, audit, "dana@example.com", "Dana Díaz")
    audit()
    fits(page, width)
    taken = sign_up(page, live_server, audit, alice.email, "Someone Else")
    audit()
    assert taken == free
    emails = wait_for_mail(2)
    assert {tuple(m.to) for m in emails} == {("dana@example.com",), (alice.email,)}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_new_trainee_confirms_their_email_from_the_link(live_server, page, audit, db, width):
    page.set_viewport_size(WIDTHS[width])
    sign_up(page, live_server, audit, "erin@example.com", "Erin Earnest")
    audit()
    log_in(page, live_server, audit, "erin@example.com")
    notice = page.locator(".verify-notice")
    expect(notice).to_contain_text("Confirm your email address to receive completion records")
    audit()
    fits(page, width)

    notice.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_text("We have sent a new link to erin@example.com")).to_be_visible()
    audit()
    link = re.search(r"https?://\S+/accounts/verify-email/\S+/", wait_for_mail(2)[-1].body)
    path = re.sub(r"^https?://[^/]+", "", link.group(0))

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    audit()
    fits(page, width)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    expect(page.locator(".verify-notice")).to_have_count(0)
    audit()

    page.goto(f"{live_server.url}{path}")  # a used link says so
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    audit()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_unverified_pass_asks_for_the_email_first(
    live_server, page, audit, quiz_factory, make_user, width
):
    page.set_viewport_size(WIDTHS[width])
    trainee = make_user("nora@example.com", "Nora New", email_verified_at=None)
    quiz = quiz_factory(slug="cert", purpose="certification", title="Safety certification")
    attempt = start_attempt(quiz=quiz, trainee=trainee, now=timezone.now())
    answer_all(attempt, right=True)
    submit_attempt(attempt=attempt, now=timezone.now())
    log_in(page, live_server, audit, trainee.email)
    audit()
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/result/")
    expect(page.locator(".record-held")).to_contain_text(
        "Verify your email address to receive your certificate"
    )
    audit()
    fits(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_keep_me_signed_in_is_unticked_and_then_the_session_ends_with_the_browser(
    live_server, page, audit, alice, width
):
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"{live_server.url}/accounts/login/")
    box = page.get_by_label("Keep me signed in")
    expect(box).not_to_be_checked()
    expect(page.get_by_text("Leave this unticked on a shared computer")).to_be_visible()
    audit()
    fits(page, width)
    log_in(page, live_server, audit, alice.email)
    audit()
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["expires"] == -1  # a browser-session cookie
    page.context.clear_cookies()  # the browser closes: its session cookie goes with it
    page.goto(f"{live_server.url}/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    audit()

    log_in(page, live_server, audit, alice.email, keep=True)
    audit()
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert 13 * 86400 < session["expires"] - time.time() <= 14 * 86400
