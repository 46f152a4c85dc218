import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import CompletionRecord
from tests.browser.test_quiz_flows import choose, current_drawn, log_in
from tests.test_records import pdf_text_and_qr


def pass_certification(page, audit, live_server):
    page.goto(f"{live_server.url}/quizzes/cert/")
    audit()
    page.get_by_role("button", name="Start").click()
    audit()
    for position in range(1, 5):
        choose(page, current_drawn(page), right=True)
        page.get_by_role("button", name="Save and review" if position == 4 else "Next").click()
        audit()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Passed — 100%")).to_be_visible()
    audit()


def test_pass_download_the_certificate_and_verify_it_from_its_qr_code(
    live_server, page, audit, quiz_factory, alice, settings
):
    settings.SITE_URL = live_server.url
    quiz_factory(slug="cert", topics=2, per_topic=2, purpose="certification")
    log_in(page, audit, live_server, alice)
    pass_certification(page, audit, live_server)

    page.get_by_role("link", name="My records").click()
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    audit()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    pdf = download.value.path().read_bytes()
    text, codes, _ = pdf_text_and_qr(pdf)
    assert "Alice Adams" in text
    [verify_url] = codes

    page.goto(verify_url)
    expect(page.locator(".verify-status")).to_contain_text("Valid")
    expect(page.locator(".verify-details")).to_contain_text("Alice Adams")
    audit()


def test_an_instructor_revokes_and_the_public_page_says_so_without_the_reason(
    live_server, page, audit, quiz_factory, alice, instructor
):
    quiz_factory(slug="cert", topics=2, per_topic=2, purpose="certification")
    log_in(page, audit, live_server, alice)
    pass_certification(page, audit, live_server)
    record = CompletionRecord.objects.get()
    page.get_by_role("button", name="Log out").click()
    audit()

    log_in(page, audit, live_server, instructor)
    page.get_by_role("link", name="The whole admin").click()
    audit()
    page.get_by_role("link", name="Completion records").click()
    audit()
    page.get_by_role("checkbox", name="Select this object for an action").first.check()
    page.get_by_label("Action:").select_option("revoke")
    page.get_by_role("button", name="Go").click()
    audit()
    page.get_by_label("Reason for revoking").fill("Another person sat the quiz for the holder.")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("1 record revoked.")).to_be_visible()
    audit()

    page.goto(f"{live_server.url}/verify/{record.verification_code}/")
    expect(page.locator(".verify-status")).to_contain_text("Revoked")
    expect(page.locator("main")).not_to_contain_text("Another person sat the quiz")
    audit()


def test_an_expired_record_shows_expired(live_server, page, audit, quiz_factory, alice):
    from django.utils import timezone

    from quizzes.attempts import start_attempt, submit_attempt
    from tests.conftest import answer_all

    quiz = quiz_factory(slug="cert", topics=1, per_topic=2, purpose="certification")
    long_ago = timezone.now() - timedelta(days=400)
    attempt = start_attempt(quiz=quiz, trainee=alice, now=long_ago)
    answer_all(attempt, right=True)
    submit_attempt(attempt=attempt, now=long_ago)
    record = CompletionRecord.objects.get()
    page.goto(f"{live_server.url}/verify/")
    audit()
    page.get_by_label("Verification code").fill(record.verification_code)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".verify-status")).to_contain_text("Expired")
    audit()


WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_types_a_code_from_paper_then_sees_it_revoked(
    live_server, page, audit, quiz_factory, alice, instructor, width
):
    from quizzes.attempts import start_attempt, submit_attempt
    from quizzes.records import revoke_record
    from tests.conftest import answer_all

    page.set_viewport_size(WIDTHS[width])
    quiz = quiz_factory(slug="cert", topics=1, per_topic=2, purpose="certification")
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True)
    submit_attempt(attempt=attempt, now=timezone.now())
    code = CompletionRecord.objects.get().verification_code  # e.g. SMP-7KQ4-M2XD-9RWB
    typed = " " + code.lower().replace("-", " ").replace("smp ", "Smp", 1) + " "

    page.goto(f"{live_server.url}/verify/")
    audit()
    wrong = typed.replace(typed.strip()[-1], "0" if typed.strip()[-1] != "0" else "1")
    page.get_by_label("Verification code").fill(wrong)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name="This verification code is not known")).to_be_visible()
    expect(page.get_by_label("Verification code")).to_have_value(wrong)  # kept to correct
    assert fits_the_width(page)
    audit()

    page.get_by_label("Verification code").fill(typed)
    page.get_by_role("button", name="Check").click()
    expect(page).to_have_url(f"{live_server.url}/verify/{code}/")
    status = page.locator(".verify-status")
    expect(status).to_contain_text("Valid")
    expect(status).to_contain_text("This record is genuine and current.")
    expect(status).to_contain_text("Checked on")
    expect(page.locator(".verify-details")).to_contain_text("Alice Adams")
    expect(page.locator(".verification-code")).to_have_text(code)
    expect(page.get_by_role("heading", name="Issued by")).to_be_visible()
    assert fits_the_width(page)
    audit()

    revoke_record(
        record_id=CompletionRecord.objects.get().pk,
        reason="Another person sat the quiz.",
        actor=instructor,
        now=timezone.now(),
    )
    page.reload()
    expect(status).to_contain_text("Revoked")
    expect(status).to_contain_text("revoked by its issuer")
    expect(page.locator("main")).not_to_contain_text("Another person sat the quiz")
    assert fits_the_width(page)
    audit()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_records_code_reads_on_one_line_on_a_phone_and_a_desktop(
    live_server, page, audit, quiz_factory, alice, width
):
    from django.urls import reverse

    from quizzes.attempts import start_attempt, submit_attempt
    from quizzes.records import format_code
    from tests.conftest import answer_all

    quiz = quiz_factory(slug="cert", topics=1, per_topic=2, purpose="certification")
    for _ in range(2):
        attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
        answer_all(attempt, right=True)
        submit_attempt(attempt=attempt, now=timezone.now())
    short, older = CompletionRecord.objects.order_by("pk")
    older.verification_code = "Ab3_x9Kq-ZtR2mWv8LpN4sYd7HcE1uGj"  # issued before the short codes
    older.save()
    page.set_viewport_size(WIDTHS[width])
    log_in(page, audit, live_server, alice)
    for record in (short, older):
        code = record.verification_code
        for url in (reverse("quizzes:my_records"), reverse("quizzes:verify", args=[code])):
            page.goto(live_server.url + url)
            shown = page.locator(".verification-code", has_text=format_code(code))
            expect(shown).to_have_count(1)
            if record is short:  # broken at a dash, read aloud or typed, it reads as two codes
                assert shown.evaluate("code => code.getClientRects().length") == 1
            assert fits_the_width(page)
            audit()
