import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_quiz_flows import log_in
from tests.test_insight import sit


def test_an_instructor_reads_the_gradebook_item_analysis_and_cohort(
    live_server, page, audit, quiz_factory, make_user, instructor
):
    quiz = quiz_factory(
        slug="cert",
        topics=2,
        per_topic=2,
        kinds=("single",),
        purpose="certification",
        title="Certification",
    )
    for i in range(6):
        sit(quiz, make_user(f"p{i}@example.com", f"Person {i}"), [0, i % 2, 0, i % 3])
    earlier = timezone.now() - timedelta(days=70)
    sit(quiz, make_user("early@example.com", "Early Bird"), [1, 1, 0, 0], earlier)
    log_in(page, audit, live_server, instructor)
    page.get_by_role("link", name="The whole admin").click()
    audit()
    page.get_by_role("link", name="Gradebook").click()
    expect(page.get_by_text("7 trainee–quiz rows")).to_be_visible()
    audit()
    page.get_by_label("Passed").select_option("yes")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.gradebook tbody tr")).to_have_count(1)
    audit()
    page.get_by_role("link", name="Person 0").click()
    expect(page.get_by_role("heading", name="Mastery by topic")).to_be_visible()
    audit()

    page.goto(f"{live_server.url}/admin/quizzes/quiz/")
    audit()
    page.get_by_role("link", name="Item analysis").click()
    expect(page.locator("tr.item-row")).to_have_count(4)
    expect(page.get_by_text("too few for flags").first).to_be_visible()
    audit()

    page.goto(f"{live_server.url}/instructor/cohort/")
    expect(page.get_by_role("heading", name="Trend by month")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Mastery per topic by month"))).to_be_visible()
    audit()
