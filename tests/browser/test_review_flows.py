"""In Chromium, with axe on every page: practice that checks each answer, the exam's timer and
submit confirmation (also without JavaScript), secure items kept out of practice while a
certification is open, and the instructor's view of an attempt and overrides."""

import io
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.attempts import start_attempt, submit_attempt
from quizzes.models import Attempt, AuditLogEntry, Quiz
from tests.browser.test_quiz_flows import choose, current_drawn, log_in

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def safety_bank(transactional_db):
    call_command("load_safety_bank", stdout=io.StringIO())


def test_practice_checks_each_answer_and_locks_it_on_a_phone(
    live_server, page, audit, safety_bank, alice
):
    page.set_viewport_size(PHONE)
    log_in(page, audit, live_server, alice)
    page.goto(f"{live_server.url}/study/swollen-lymph-nodes/")
    expect(page.get_by_role("heading", name="When to send the client to a doctor")).to_be_visible()
    audit()
    page.get_by_role("link", name=re.compile("Practice this topic")).click()
    audit()
    page.get_by_role("button", name="Start").click()
    audit()
    drawn = current_drawn(page)
    choose(page, drawn, right=False)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("Not right.")).to_be_visible()
    expect(page.get_by_text(drawn.explanation)).to_be_visible()
    expect(page.locator("input[name=choice]:disabled")).to_have_count(len(drawn.choices))
    expect(page.get_by_role("button", name="Check")).to_have_count(0)
    audit()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 2 of 8")).to_be_visible()
    audit()


def test_the_timer_stays_in_view_and_warns_in_the_last_minutes(
    live_server, page, audit, safety_bank, alice
):
    certification = Quiz.objects.get(slug="smp-safety-certification")
    attempt = start_attempt(
        quiz=certification, trainee=alice, now=timezone.now() - timedelta(minutes=41)
    )
    log_in(page, audit, live_server, alice)
    page.set_viewport_size({"width": 360, "height": 480})
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/questions/1/")
    box = page.locator("#countdown")
    expect(box).to_have_class(re.compile("countdown-low"))
    audit()
    natural_top = box.bounding_box()["y"]
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(f"window.scrollY > {natural_top}")
    assert abs(box.bounding_box()["y"]) < 2  # stuck to the top of the window
    background = box.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(154, 52, 18)"
    # Short of a minute left, the script turns it red and says so.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=70))
    page.reload()
    expect(box).to_have_class(re.compile("countdown-critical"), timeout=20_000)
    expect(page.locator(".countdown-announcer")).to_have_text("1 minute left.")
    audit()


@pytest.mark.parametrize("javascript", [True, False])
def test_submitting_with_unanswered_questions_asks_first(
    live_server, browser, safety_bank, alice, javascript
):
    context = browser.new_context(java_script_enabled=javascript, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, lambda: None, live_server, alice)  # axe needs script: checked below if on
    page.goto(f"{live_server.url}/quizzes/practice-consultation/")
    page.get_by_role("button", name="Start").click()
    choose_without_waiting = page.locator("input[name=choice]").first
    choose_without_waiting.check()
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Submit with 7 questions unanswered?")).to_be_visible()
    if javascript:
        assert Axe().run(page).violations_count == 0
    assert not Attempt.objects.get().is_submitted
    page.get_by_role("button", name="Submit anyway").click()
    expect(page.get_by_role("heading", name=re.compile("of 8 right"))).to_be_visible()
    assert Attempt.objects.get().is_submitted
    context.close()


def test_practice_waits_while_a_certification_attempt_is_open(
    live_server, page, audit, safety_bank, alice
):
    log_in(page, audit, live_server, alice)
    page.goto(f"{live_server.url}/quizzes/smp-safety-certification/")
    audit()
    page.get_by_role("button", name="Start").click()
    audit()
    exam = Attempt.objects.get()
    page.goto(f"{live_server.url}/quizzes/practice-hygiene-and-practitioner/")
    expect(page.get_by_role("button", name="Start")).to_have_count(0)  # no Start to refuse
    expect(page.get_by_text("Finish your certification attempt first")).to_be_visible()
    audit()
    page.get_by_role("link", name="Back to your certification").click()
    expect(page).to_have_url(re.compile(f"/attempts/{exam.pk}/questions/"))
    audit()
    assert Attempt.objects.count() == 1


def test_an_instructor_reads_an_attempt_and_grants_an_extra_attempt(
    live_server, page, audit, safety_bank, alice, instructor
):
    certification = Quiz.objects.get(slug="smp-safety-certification")
    for hours in (3, 2, 1):
        attempt = start_attempt(
            quiz=certification, trainee=alice, now=timezone.now() - timedelta(hours=hours)
        )
        attempt.drawn.update(selected=1)
        submit_attempt(attempt=attempt, now=timezone.now() - timedelta(hours=hours))
    log_in(page, audit, live_server, instructor)
    page.goto(f"{live_server.url}/instructor/trainees/{alice.pk}/")
    audit()
    page.get_by_role("link", name=re.compile("Question by question")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Question 1 ·"))).to_be_visible()
    audit()
    page.goto(f"{live_server.url}/admin/quizzes/attemptoverride/add/")
    audit()
    page.locator(".select2-selection").first.click()  # the trainee: found by a search
    page.locator(".select2-search__field").fill("alice")
    page.get_by_role("option", name=re.compile("Alice Adams")).click()
    page.get_by_label("Quiz:").select_option(label="SMP Safety Certification")
    page.get_by_label("Extra attempts:").fill("1")
    page.get_by_label("Reason:").fill("The studio's internet failed during attempt 3.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    audit()
    entry = AuditLogEntry.objects.get(action="quizzes.override.set")
    assert entry.data["extra_attempts"] == 1


WIDTHS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_new_trainee_pages_pass_axe_and_fit_the_screen(
    live_server, page, audit, safety_bank, alice, width
):
    page.set_viewport_size(WIDTHS[width])

    def fits():
        audit()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    log_in(page, audit, live_server, alice)
    for path in ("/study/sources/", "/study/swollen-lymph-nodes/"):
        page.goto(f"{live_server.url}{path}")
        fits()
    practice = Quiz.objects.get(slug="practice-consultation")
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/questions/1/")
    fits()
    page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".check-feedback")).to_be_visible()
    fits()
    page.get_by_role("button", name="Review and submit").click()
    fits()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("unanswered"))).to_be_visible()
    fits()
    page.get_by_role("button", name="Submit anyway").click()
    expect(page.get_by_role("heading", name=re.compile("of 8 right"))).to_be_visible()
    fits()
    exam = start_attempt(
        quiz=Quiz.objects.get(slug="smp-safety-certification"), trainee=alice, now=timezone.now()
    )
    submit_attempt(attempt=exam, now=timezone.now())
    page.goto(f"{live_server.url}/attempts/{exam.pk}/result/")
    expect(page.get_by_role("heading", name=re.compile("Not passed"))).to_be_visible()
    fits()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_new_instructor_pages_pass_axe(
    live_server, page, audit, safety_bank, alice, instructor, width
):
    page.set_viewport_size(WIDTHS[width])
    certification = Quiz.objects.get(slug="smp-safety-certification")
    exam = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    submit_attempt(attempt=exam, now=timezone.now())
    log_in(page, audit, live_server, instructor)
    for path in (
        f"/instructor/attempts/{exam.pk}/",
        "/admin/quizzes/attemptoverride/add/",
        f"/admin/quizzes/quiz/{certification.pk}/change/",
        "/admin/quizzes/question/?usage__exact=certification",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
        audit()


@pytest.mark.parametrize("slug", ["smp-safety-certification", None])
def test_enter_on_a_choice_saves_it_and_moves_on(
    live_server, page, audit, safety_bank, alice, slug
):
    """Enter presses a form's first button: it must be Next, not Previous or practice's Check."""
    quiz = (
        Quiz.objects.get(slug=slug)
        if slug
        else Quiz.objects.filter(purpose=Quiz.Purpose.PRACTICE, published=True).first()
    )
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    log_in(page, audit, live_server, alice)

    def pick_and_press_enter(position):
        page.goto(f"{live_server.url}/attempts/{attempt.pk}/questions/{position}/")
        audit()
        page.locator("#choice-1").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Enter")

    pick_and_press_enter(2)
    expect(page).to_have_url(re.compile(f"/attempts/{attempt.pk}/questions/3/$"))
    expect(page.get_by_text(f"Question 3 of {attempt.question_count}")).to_be_visible()
    second = attempt.drawn.get(position=2)
    assert second.selected is not None and second.checked_at is None  # saved, not checked
    audit()
    pick_and_press_enter(attempt.question_count)
    expect(page).to_have_url(re.compile(f"/attempts/{attempt.pk}/review/$"))
    audit()


def test_the_instructor_pages_fit_a_phone(live_server, page, audit, safety_bank, alice, instructor):
    """Wide tables scroll inside their own box; the page itself never scrolls sideways."""
    page.set_viewport_size(WIDTHS["phone"])
    certification = Quiz.objects.get(slug="smp-safety-certification")
    exam = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    submit_attempt(attempt=exam, now=timezone.now())
    log_in(page, audit, live_server, instructor)
    widths = {}
    for path in (
        "/instructor/",
        "/instructor/gradebook/",
        f"/instructor/trainees/{alice.pk}/",
        f"/instructor/attempts/{exam.pk}/",
        f"/instructor/quizzes/{certification.pk}/analysis/",
        "/instructor/cohort/",
        "/admin/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
        audit()
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert {path: w for path, w in widths.items() if w > WIDTHS["phone"]["width"]} == {}
