"""In Chromium, with axe on every page, at a phone's width and a desktop's: what a first-time
trainee and instructor met. The instructor's home, the history chart, the question list at
1280 px, exports that say what they hold, the phone menu and the small things.

Set BROWSER_SCREENSHOTS=/some/folder to keep a full-page screenshot of the key pages.
"""

import io
import os
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.attempts import start_attempt, submit_attempt
from quizzes.models import AuditLogEntry, Question, Quiz, Topic
from tests.browser.test_quiz_flows import log_in
from tests.conftest import answer_all
from tests.test_insight import sit

PHONE = {"width": 360, "height": 740}
NARROW_PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])


def shoot(page, name, *, full_page=True):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)


def assert_fits_the_width(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        widest = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                .map(e => { let a = e.parentElement;
                    while (a && getComputedStyle(a).overflowX === 'visible') a = a.parentElement;
                    return [e, a]; })
                .filter(([e, a]) => !a || a === document.body || a === document.documentElement)
                .map(([e, a]) => e)
                .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
                    + Math.round(e.getBoundingClientRect().right))"""
        )
        raise AssertionError(f"{page.url} is {overflow}px wider than the window: {widest}")


@pytest.fixture
def safety_bank(transactional_db):
    call_command("load_safety_bank", stdout=io.StringIO())


# --- The instructor's home -----------------------------------------------------------------


@WIDTHS
def test_an_instructor_starts_from_their_own_home(
    live_server, page, audit, quiz_factory, make_user, instructor, size
):
    page.set_viewport_size(size)
    certification = quiz_factory(
        slug="cert",
        title="SMP Safety Certification",
        topics=2,
        per_topic=1,
        kinds=("single",),
        purpose="certification",
        validity_days=20,  # every record already expires within 30 days
    )
    for i in range(3):
        sit(certification, make_user(f"p{i}@example.com", f"Person {i}"), [0, i % 2])
    AuditLogEntry.objects.create(
        actor=instructor,
        action="quizzes.bank.imported",
        object_repr="aftercare.gift",
        data={"questions_created": 12},
    )
    log_in(page, audit, live_server, instructor)
    expect(page).to_have_url(f"{live_server.url}/instructor/")
    expect(page.locator(".figure-today")).to_have_text("3")
    expect(page.locator(".figure-pass-rate")).to_contain_text("66.7%2 of 3 attempts passed")
    expect(page.locator(".figure-expiring")).to_have_text("2 records expire within 30 days.")
    expect(page.locator(".last-import")).to_contain_text("aftercare.gift")
    expect(page.locator(".last-import")).to_contain_text("12 new questions")
    assert_fits_the_width(page)
    shoot(page, f"instructor-home-{size['width']}")
    page.get_by_role("link", name="Every expiring record").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    audit()
    page.go_back()
    audit()
    page.get_by_role("link", name="Gradebook").click()
    expect(page.get_by_text("3 trainee–quiz rows")).to_be_visible()
    audit()
    assert_fits_the_width(page)
    page.get_by_role("link", name="Person 0").click()
    expect(page.get_by_role("heading", name="Mastery by topic")).to_be_visible()
    audit()
    assert_fits_the_width(page)
    page.goto(f"{live_server.url}/instructor/quizzes/{certification.pk}/analysis/")
    expect(page.get_by_text("a question gets flags only once it has 30 attempts")).to_be_visible()
    audit()


# --- History ---------------------------------------------------------------------------------


def take(quiz, trainee, when, *, skip=()):
    attempt = start_attempt(quiz=quiz, trainee=trainee, now=when)
    answer_all(attempt, skip=skip)
    return submit_attempt(attempt=attempt, now=when + timedelta(minutes=12))


@pytest.mark.parametrize("size", [NARROW_PHONE, DESKTOP], ids=["phone", "desktop"])
def test_history_draws_a_line_per_quiz_that_reads_on_a_phone_and_a_desktop(
    live_server, page, audit, quiz_factory, alice, size
):
    page.set_viewport_size(size)
    certification = quiz_factory(
        slug="cert", title="SMP Safety Certification", purpose="certification", per_topic=4
    )
    hygiene = quiz_factory(slug="hygiene", title="Practice: hygiene", topics=1, per_topic=5)
    start = timezone.now() - timedelta(days=20)
    take(hygiene, alice, start, skip=(1, 2, 3))
    take(certification, alice, start + timedelta(days=3), skip=(1, 2, 3))
    take(hygiene, alice, start + timedelta(days=8), skip=(1,))
    take(hygiene, alice, start + timedelta(days=12))
    take(certification, alice, start + timedelta(days=19))
    log_in(page, audit, live_server, alice)
    page.goto(f"{live_server.url}/history/")
    audit()
    drawing = page.locator(
        ".history-chart-phone" if size is NARROW_PHONE else ".history-chart-wide"
    )
    expect(drawing.locator("svg")).to_be_visible()
    expect(drawing.locator("polyline.history-line")).to_have_count(2)
    expect(drawing.locator("circle.history-point")).to_have_count(5)
    expect(drawing.locator(".chart-pass-label")).to_have_text("Pass mark 80%")
    # The dates on the axis and the percentages are drawn at least 11 px high, as written.
    for label in drawing.locator("text.chart-label").all():
        assert label.bounding_box()["height"] >= 11, label.text_content()
    ticks = drawing.locator("text.chart-date")
    expect(ticks).to_have_count(3 if size is NARROW_PHONE else 5)
    expect(ticks.first).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2}"))  # "2 Dec"
    legend = page.locator(".history-legend")
    expect(legend).to_contain_text("SMP Safety Certification")
    expect(legend).to_contain_text("Practice: hygiene")
    expect(legend).to_contain_text("Pass mark")
    assert_fits_the_width(page)
    shoot(page, f"history-{size['width']}")
    page.get_by_role("link", name=re.compile("^Passed")).first.click()
    expect(page.get_by_role("heading", name=re.compile("SMP Safety Certification"))).to_be_visible()
    audit()


# --- The question list, the choices, the exports ---------------------------------------------


def test_the_question_list_fits_a_desktop_and_choices_take_a_row_each(
    live_server, page, audit, safety_bank, instructor
):
    page.set_viewport_size(DESKTOP)
    log_in(page, audit, live_server, instructor)
    page.goto(f"{live_server.url}/admin/quizzes/question/")
    audit()
    for column in ("Prompt", "Topic", "Kind", "Used for", "Active"):
        header = page.get_by_role("columnheader", name=column, exact=True)
        expect(header).to_be_visible()
        assert header.bounding_box()["x"] + header.bounding_box()["width"] <= DESKTOP["width"]
    shoot(page, "admin-question-list-1280", full_page=False)
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth"), "the list scrolls sideways"
    assert_fits_the_width(page)

    question = Question.objects.filter(kind="multiple").order_by("key").first()
    page.goto(f"{live_server.url}/admin/quizzes/question/{question.pk}/change/")
    rows = page.locator("#choices-group tbody tr.has_original")
    expect(rows).to_have_count(question.choices.count())
    for n, choice in enumerate(question.choices.all()):
        box = page.get_by_role("checkbox", name=f"Correct, choice {n + 1}", exact=True)
        expect(box).to_be_checked() if choice.is_correct else expect(box).not_to_be_checked()
    first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
    assert first["height"] < 90 and second["y"] >= first["y"] + first["height"] - 1
    assert_fits_the_width(page)
    audit()
    shoot(page, "admin-question-change-1280")


def test_a_questions_source_section_and_picture_description_show_whole(
    live_server, page, audit, safety_bank, instructor
):
    page.set_viewport_size(DESKTOP)
    log_in(page, audit, live_server, instructor)
    longest = max(Question.objects.all(), key=lambda q: len(q.source_section))
    page.goto(f"{live_server.url}/admin/quizzes/question/{longest.pk}/change/")
    section = page.get_by_label("Source section")
    expect(section).to_have_value(longest.source_section)
    assert section.evaluate("el => el.scrollWidth <= el.clientWidth"), "the section is cut off"
    audit()
    longest = max(Question.objects.all(), key=lambda q: len(q.image_alt))
    page.goto(f"{live_server.url}/admin/quizzes/question/{longest.pk}/change/")
    description = page.get_by_label("Illustration's text alternative")
    expect(description).to_have_value(longest.image_alt)
    assert description.evaluate(
        "el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight"
    ), "the description is cut off"
    audit()


def test_the_question_pages_work_on_a_phone(live_server, page, audit, safety_bank, instructor):
    page.set_viewport_size(PHONE)
    log_in(page, audit, live_server, instructor)
    page.goto(f"{live_server.url}/admin/quizzes/question/")
    audit()
    page.locator("#result_list tbody th a").first.click()
    expect(page.get_by_role("checkbox", name="Correct, choice 1", exact=True)).to_be_visible()
    audit()


@WIDTHS
def test_exports_carry_the_date_and_say_how_many_questions_they_hold(
    live_server, page, audit, quiz_factory, instructor, size
):
    page.set_viewport_size(size)
    quiz_factory(topics=2, per_topic=40)  # 80 questions: two pages of the list
    today = timezone.localdate().isoformat()
    log_in(page, audit, live_server, instructor)
    page.goto(f"{live_server.url}/admin/quizzes/question/")
    audit()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the whole bank (JSON)").click()
    assert download.value.suggested_filename == f"smp-bank-{today}.json"
    assert '"question_count": 80' in download.value.path().read_text(encoding="utf-8")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the whole bank (GIFT)").click()
    assert download.value.suggested_filename == f"smp-bank-{today}.gift"

    page.get_by_role("checkbox", name="Select all objects on this page for an action").check()
    page.get_by_text("Select all 80 questions").click()
    page.get_by_label("Action:").select_option("export_gift")
    with page.expect_download() as download:
        page.get_by_role("button", name="Go").click()
    assert download.value.suggested_filename == f"smp-questions-80-{today}.gift"
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("// 80 questions from the SMP Safety Training bank")
    audit()


# --- Small things ----------------------------------------------------------------------------


def test_the_phone_menu_opens_as_a_vertical_list(live_server, page, audit, alice):
    page.set_viewport_size(PHONE)
    log_in(page, audit, live_server, alice)
    page.get_by_text("Menu", exact=True).click()
    menu = page.locator("details.site-menu")
    links = [
        menu.get_by_role("link", name=name)
        for name in ("Study notes", "Quizzes", "History", "My records", "Alice Adams")
    ]
    boxes = [link.bounding_box() for link in links]
    boxes.append(menu.get_by_role("button", name="Log out").bounding_box())
    assert len({round(box["x"]) for box in boxes}) == 1, "every entry starts at the same left"
    tops = [box["y"] for box in boxes]
    assert tops == sorted(tops) and len(set(tops)) == len(tops), "one entry per row"
    assert_fits_the_width(page)
    audit()
    shoot(page, "phone-menu-360")


@WIDTHS
def test_a_trainee_meets_study_notes_in_order_and_no_practice_during_the_exam(
    live_server, page, audit, quiz_factory, alice, size
):
    page.set_viewport_size(size)
    quiz_factory(slug="cert", title="Certification", purpose="certification", topics=1)
    quiz_factory(slug="practice", title="Practice", topics=1)
    Topic.objects.create(name="Aftercare", slug="aftercare", order=0)  # first in the course
    log_in(page, audit, live_server, alice)
    page.goto(f"{live_server.url}/study/")
    names = page.locator(".list-group-item").all_inner_texts()
    assert [n.split("\n")[0].strip() for n in names][:2] == ["Aftercare", "Topic 1"]
    audit()
    exam = start_attempt(quiz=Quiz.objects.get(slug="cert"), trainee=alice, now=timezone.now())
    page.goto(f"{live_server.url}/quizzes/practice/")
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
    expect(page.get_by_text("Finish your certification attempt first")).to_be_visible()
    audit()
    page.get_by_role("link", name="Back to your certification").click()
    expect(page).to_have_url(re.compile(f"/attempts/{exam.pk}/questions/"))
    audit()


@WIDTHS
def test_an_instructor_filters_records_by_certification_and_finds_a_trainee_by_search(
    live_server, page, audit, quiz_factory, alice, instructor, size
):
    page.set_viewport_size(size)
    for slug in ("cert", "renewal"):
        quiz_factory(slug=slug, title=f"Exam {slug}", purpose="certification", topics=1)
    quiz_factory(slug="practice", title="Practice only", topics=1)
    log_in(page, audit, live_server, instructor)
    page.goto(f"{live_server.url}/admin/quizzes/completionrecord/")
    audit()
    filters = page.locator("#changelist-filter")
    expect(filters).to_contain_text("Exam cert")
    expect(filters).to_contain_text("Exam renewal")
    expect(filters).not_to_contain_text("Practice only")
    page.goto(f"{live_server.url}/admin/quizzes/attemptoverride/add/")
    audit()
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("alice")
    page.get_by_role("option", name=re.compile("Alice Adams")).click()
    expect(page.locator(".select2-selection__rendered").first).to_contain_text("Alice Adams")
    audit()
