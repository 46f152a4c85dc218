"""In Chromium at phone and desktop widths, with axe on every page: the moment of passing, the
trainee's home page in each state, the records as cards, and a visitor checking a code."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.attempts import start_attempt
from quizzes.models import CompletionRecord
from tests.browser.test_quiz_flows import log_in
from tests.browser.test_record_flows import pass_certification
from tests.conftest import PASSWORD
from tests.test_records import pdf_text_and_qr

WIDTHS = [360, 1280]


def fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_pass_leads_to_the_certificate_and_its_download(
    live_server, page, audit, quiz_factory, alice, settings, width
):
    settings.SITE_URL = live_server.url
    page.set_viewport_size({"width": width, "height": 800})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    quiz_factory(slug="cert", topics=2, per_topic=2, purpose="certification")
    log_in(page, audit, live_server, alice)
    expect(page.get_by_text("Not certified yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Take the certification")).to_be_visible()
    pass_certification(page, audit, live_server)

    record = CompletionRecord.objects.get()
    expect(page.get_by_role("heading", name="Your certificate is ready")).to_be_visible()
    verify_url = f"{live_server.url}/verify/{record.verification_code}/"
    expect(page.get_by_role("link", name=verify_url)).to_be_visible()
    page.get_by_role("button", name="Copy the public link").click()
    expect(page.locator(".copy-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == verify_url
    linkedin = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    assert fits_the_width(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    text, codes, _ = pdf_text_and_qr(download.value.path().read_bytes())
    assert record.verification_code in text and codes == [verify_url]

    page.get_by_role("link", name="SMP Safety Training").first.click()
    expect(page.get_by_text(f"Certified until {record.expires_at:%-d %B %Y}.")).to_be_visible()
    expect(page.get_by_role("link", name="Download your certificate (PDF)")).to_be_visible()
    assert fits_the_width(page)
    audit()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_home_page_resumes_the_attempt_in_progress(
    live_server, page, audit, quiz_factory, alice, width
):
    page.set_viewport_size({"width": width, "height": 800})
    quiz = quiz_factory(slug="cert", topics=2, per_topic=2, purpose="certification")
    quiz.time_limit_minutes = 45
    quiz.save()
    start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    log_in(page, audit, live_server, alice)
    expect(page.locator(".time-left")).to_contain_text("Time left: 4")
    assert fits_the_width(page)
    page.get_by_role("link", name="Resume").click()
    expect(page.get_by_text("Question 1 of 4")).to_be_visible()
    audit()


@pytest.mark.parametrize("width", WIDTHS)
def test_my_records_are_cards_that_fit_the_screen(
    live_server, page, audit, quiz_factory, alice, width
):
    from tests.test_records import pass_quiz

    page.set_viewport_size({"width": width, "height": 800})
    quiz = quiz_factory(
        slug="cert",
        topics=1,
        per_topic=2,
        purpose="certification",
        title="SMP Safety Certification",
    )
    pass_quiz(quiz, alice)
    log_in(page, audit, live_server, alice)
    page.goto(f"{live_server.url}/records/")
    download = page.get_by_role("link", name="Download PDF")
    expect(download).to_be_visible()
    assert fits_the_width(page)
    box = download.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    audit()
    with page.expect_download():
        download.click()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visitor_checks_a_code_from_the_home_page(
    live_server, page, audit, quiz_factory, alice, width
):
    from django.core.files.base import ContentFile

    from academy.models import Academy
    from tests.test_certificates import png
    from tests.test_records import pass_quiz

    page.set_viewport_size({"width": width, "height": 800})
    Academy.objects.get().logo.save("logo.png", ContentFile(png((400, 300), "NSA")), save=True)
    pass_quiz(quiz_factory(slug="cert", topics=1, per_topic=2, purpose="certification"), alice)
    record = CompletionRecord.objects.get()
    page.goto(live_server.url)
    audit()
    assert fits_the_width(page)
    page.get_by_label("Verification code").fill(record.verification_code)
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".verify-status")).to_contain_text("Valid")
    logo = page.locator(".verify-logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("image => image.naturalWidth") == 400  # the academy's own picture
    assert fits_the_width(page)
    audit()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_administrator_sets_the_academy_logo_and_a_trainer(
    live_server, page, audit, make_user, tmp_path, width
):
    from academy.models import Academy, Trainer
    from tests.test_certificates import png

    page.set_viewport_size({"width": width, "height": 900})
    admin = make_user("root@example.com", "Root Admin", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/accounts/login/")
    audit()
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/instructor/")  # a superuser starts from there
    audit()
    page.goto(f"{live_server.url}/admin/academy/academy/")
    audit()
    page.get_by_role("link", name=Academy.objects.get().name, exact=True).click()
    audit()
    page.get_by_label("Address").fill("12 Harbour Street\nPortsmouth")
    broken = tmp_path / "logo.png"
    broken.write_bytes(b"not a picture")
    page.get_by_label("Logo").set_input_files(broken)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Upload a valid image.")).to_be_visible()
    audit()
    logo = tmp_path / "real.png"
    logo.write_bytes(png((300, 300)))
    page.get_by_label("Logo").set_input_files(logo)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    audit()
    assert Academy.objects.get().logo.name.startswith("academy/")

    page.goto(f"{live_server.url}/admin/academy/trainer/add/")
    audit()
    page.get_by_label("Name").fill("Tess Trainer")
    page.get_by_label("Qualification").fill("Registered nurse")
    signature = tmp_path / "signature.png"
    signature.write_bytes(png())
    page.get_by_label("Signature").set_input_files(signature)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    audit()
    assert Trainer.objects.get().signature.name.startswith("signatures/")
