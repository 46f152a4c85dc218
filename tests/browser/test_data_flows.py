"""A trainee downloads their data and deletes their account from the profile page."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from quizzes.models import Attempt, CompletionRecord
from tests.browser.test_quiz_flows import log_in
from tests.conftest import PASSWORD, pass_quiz

WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_trainee_downloads_their_data_then_deletes_their_account(
    live_server, page, audit, transactional_db, quiz_factory, alice, width
):
    page.set_viewport_size(WIDTHS[width])

    def fits():
        audit()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    pass_quiz(quiz_factory(slug="cert", purpose="certification"), alice)
    code = CompletionRecord.objects.get().verification_code
    log_in(page, audit, live_server, alice)
    page.goto(f"{live_server.url}/accounts/profile/")
    fits()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    assert re.fullmatch(
        r"smp-training-data-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename
    )
    data = json.loads(Path(download.value.path()).read_text())
    assert data["profile"]["email"] == "alice@example.com"
    assert data["completion_records"][0]["verification_code"] == code

    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    fits()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password")).to_be_visible()
    fits()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()
    fits()
    assert not User.objects.filter(email="alice@example.com").exists()
    assert Attempt.objects.get().trainee_id is None

    page.goto(f"{live_server.url}/verify/{code}/")
    expect(page.get_by_text("Alice Adams").first).to_be_visible()
    fits()
