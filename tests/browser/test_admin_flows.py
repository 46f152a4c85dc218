from playwright.sync_api import expect

from quizzes.models import Question
from tests.browser.test_quiz_flows import log_in

GIFT = """$CATEGORY: $course$/top/Aftercare

::aftercare-01::How should aftercare advice be given?{
=Both spoken and written
~Only spoken
####Give it both ways so the client can check later.
}

::aftercare-02::Is redness on day one normal?{TRUE}
"""


def test_an_instructor_imports_a_gift_file_after_checking_the_preview(
    live_server, page, audit, instructor, tmp_path
):
    path = tmp_path / "aftercare.gift"
    path.write_text(GIFT)
    log_in(page, audit, live_server, instructor)
    page.goto(f"{live_server.url}/admin/quizzes/question/")
    audit()
    page.get_by_role("link", name="Import questions (JSON or GIFT)").click()
    audit()
    page.get_by_label("Question file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".import-summary")).to_contain_text("2 new questions")
    expect(page.get_by_text("Imported inactive: no explanation yet")).to_be_visible()
    audit()
    assert not Question.objects.exists()
    page.get_by_role("button", name="Import 2 questions").click()
    expect(page.get_by_text("Imported 2 questions and 1 topic from")).to_be_visible()
    audit()
    assert Question.objects.count() == 2


def test_an_instructor_is_told_which_rule_a_question_breaks(live_server, page, audit, instructor):
    from quizzes.models import Topic

    Topic.objects.create(name="Hygiene", slug="hygiene")
    log_in(page, audit, live_server, instructor)
    page.goto(f"{live_server.url}/admin/quizzes/question/add/")
    audit()
    page.get_by_label("Topic:").select_option(label="Hygiene")
    page.get_by_label("Key:").fill("gloves-01")
    page.get_by_label("Prompt:").fill("When do you change gloves?")
    page.get_by_label("Active").check()
    page.locator("#id_choices-0-text").fill("For every client")
    page.locator("#id_choices-0-is_correct").check()
    page.locator("#id_choices-1-text").fill("Once a day")
    page.locator("#id_choices-1-is_correct").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("exactly one correct choice; it has 2")).to_be_visible()
    expect(
        page.get_by_text("Write an explanation before making the question active")
    ).to_be_visible()
    audit()
    assert not Question.objects.exists()
