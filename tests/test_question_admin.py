import html
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from quizzes.models import AuditLogEntry, BankImport, Question, Topic


def question_form(topic, **changes):
    data = {
        "topic": topic.pk,
        "key": "sharps-01",
        "kind": "single",
        "prompt": "Where does a used needle go?",
        "explanation": "Straight into the sharps container. Never recap it.",
        "source_document": "infection-control",
        "source_section": "After the procedure and waste",
        "usage": "both",
        "active": "on",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "1000",
        "choices-0-order": "1",
        "choices-0-text": "The sharps container",
        "choices-0-is_correct": "on",
        "choices-1-order": "2",
        "choices-1-text": "The general bin",
        "choices-2-order": "3",
        "choices-2-text": "Back in its cap",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_instructor_adds_a_question_with_its_choices(instructor_client, topic):
    response = instructor_client.post(reverse("admin:quizzes_question_add"), question_form(topic))
    assert response.status_code == 302
    question = Question.objects.get(key="sharps-01")
    assert [c.text for c in question.choices.filter(is_correct=True)] == ["The sharps container"]


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5"/></svg>'


def test_an_illustration_is_stored_through_the_storage_and_served_safely(instructor_client, topic):
    picture = SimpleUploadedFile("sharps.svg", SVG, content_type="image/svg+xml")
    data = question_form(topic, image=picture, image_alt="A yellow sharps container, lid open.")
    assert instructor_client.post(reverse("admin:quizzes_question_add"), data).status_code == 302
    question = Question.objects.get(key="sharps-01")
    assert default_storage.exists(question.image.name)
    served = instructor_client.get(question.image.url)
    assert served["Content-Type"] == "image/svg+xml"
    assert "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == SVG


@pytest.mark.parametrize(
    ("file_name", "alt", "message"),
    [
        ("sharps.svg", "", "Describe the illustration"),
        ("sharps.exe", "A container", "File extension “exe” is not allowed"),
    ],
)
def test_an_illustration_needs_a_text_alternative_and_a_picture_type(
    instructor_client, topic, file_name, alt, message
):
    picture = SimpleUploadedFile(file_name, SVG)
    data = question_form(topic, image=picture, image_alt=alt)
    response = instructor_client.post(reverse("admin:quizzes_question_add"), data)
    assert message in html.unescape(response.content.decode())
    assert not Question.objects.exists()


def test_a_path_outside_the_storage_is_a_404(client, db):
    assert client.get("/media/../settings.py").status_code == 404
    assert client.get("/media/illustrations/missing.svg").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"choices-1-is_correct": "on"}, "exactly one correct choice; it has 2"),
        ({"explanation": ""}, "Write an explanation before making the question active"),
        ({"kind": "true_false"}, "exactly two choices, one of them correct"),
        (
            {"kind": "multiple", "choices-1-is_correct": "on", "choices-2-is_correct": "on"},
            "at least one wrong choice",
        ),
        ({"choices-TOTAL_FORMS": "1"}, "A question needs at least two choices."),
    ],
)
def test_a_question_that_breaks_a_rule_is_not_saved_and_the_form_says_why(
    instructor_client, topic, changes, message
):
    response = instructor_client.post(
        reverse("admin:quizzes_question_add"), question_form(topic, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_trainees_cannot_reach_the_admin(alice_client, question):
    for url in (
        reverse("admin:index"),
        reverse("admin:quizzes_question_changelist"),
        reverse("admin:quizzes_question_import"),
        reverse("admin:quizzes_question_preview", args=[question.pk]),
    ):
        response = alice_client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_the_changelist_filters_and_searches_choices(instructor_client, question):
    url = reverse("admin:quizzes_question_changelist")
    found = instructor_client.get(url, {"q": "Once a day"})
    assert found.context["cl"].result_count == 1
    missing = instructor_client.get(url, {"q": "autoclave"})
    assert missing.context["cl"].result_count == 0
    inactive = instructor_client.get(url, {"active__exact": "0"})
    assert inactive.context["cl"].result_count == 0


def test_topics_list_their_question_counts(instructor_client, question):
    response = instructor_client.get(reverse("admin:quizzes_topic_changelist"))
    topic = response.context["cl"].result_list[0]
    assert (topic.question_count, topic.active_question_count) == (1, 1)


def run_action(client, action, *questions):
    return client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": action, "_selected_action": [q.pk for q in questions]},
    )


def test_deactivate_and_activate_actions(instructor_client, question):
    run_action(instructor_client, "deactivate", question)
    question.refresh_from_db()
    assert not question.active
    run_action(instructor_client, "activate", question)
    question.refresh_from_db()
    assert question.active


def test_activate_refuses_questions_without_explanation(instructor_client, topic):
    draft = Question.objects.create(topic=topic, key="draft", prompt="Why?", active=False)
    response = run_action(instructor_client, "activate", draft)
    draft.refresh_from_db()
    assert not draft.active
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("no explanation yet: draft" in m for m in messages)


def test_duplicate_makes_an_inactive_copy_with_its_choices(instructor_client, question):
    run_action(instructor_client, "duplicate", question)
    copy = Question.objects.get(key="gloves-01-copy")
    assert not copy.active
    assert [c.text for c in copy.choices.all()] == ["For every client", "Once a day"]


def test_exporting_selected_questions_downloads_them(instructor_client, question):
    today = timezone.localdate().isoformat()
    response = run_action(instructor_client, "export_json", question)
    assert response["Content-Disposition"] == f'attachment; filename="smp-questions-1-{today}.json"'
    assert response.json()["question_count"] == 1
    assert response.json()["topics"][0]["questions"][0]["key"] == "gloves-01"
    response = run_action(instructor_client, "export_gift", question)
    assert response["Content-Disposition"].endswith(f'filename="smp-questions-1-{today}.gift"')
    body = response.content.decode()
    assert body.startswith(
        f"// 1 question from the SMP Safety Training bank, exported on {today}.\n"
    )
    assert "::gloves-01:: When do you change gloves?" in body


def many_questions(topic, count):
    for n in range(count):
        q = Question.objects.create(topic=topic, key=f"q-{n:03}", prompt=f"Prompt {n}?")
        q.choices.create(text="Yes", is_correct=True, order=1)
        q.choices.create(text="No", order=2)


def test_selecting_every_page_exports_every_matching_question_and_says_how_many(
    instructor_client, topic
):
    many_questions(topic, 120)  # more than the 50 a page of the list shows
    response = instructor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "export_json", "select_across": "1", "_selected_action": ["1"]},
    )
    assert response.json()["question_count"] == 120
    assert len(response.json()["topics"][0]["questions"]) == 120
    assert "smp-questions-120-" in response["Content-Disposition"]


def test_the_whole_bank_is_exported_from_beside_the_list(instructor_client, question, topic):
    today = timezone.localdate().isoformat()
    Topic.objects.create(name="Empty topic", slug="empty", order=2)
    many_questions(topic, 3)
    html = instructor_client.get(reverse("admin:quizzes_question_changelist")).content.decode()
    json_url = reverse("admin:quizzes_question_export", args=["json"])
    gift_url = reverse("admin:quizzes_question_export", args=["gift"])
    assert f'href="{json_url}"' in html and f'href="{gift_url}"' in html
    response = instructor_client.get(json_url)
    assert response["Content-Disposition"] == f'attachment; filename="smp-bank-{today}.json"'
    bank = response.json()
    assert bank["question_count"] == 4 and bank["exported_on"] == today
    assert [t["slug"] for t in bank["topics"]] == ["hygiene", "empty"]  # empty topics too
    response = instructor_client.get(gift_url)
    assert response["Content-Disposition"] == f'attachment; filename="smp-bank-{today}.gift"'
    assert response.content.decode().startswith("// 4 questions from the SMP Safety Training")
    assert not instructor_client.get(json_url.replace("json", "csv")).has_header(
        "Content-Disposition"
    )


def test_exporting_the_bank_needs_the_right_to_view_questions(client, alice, question):
    client.force_login(alice)
    response = client.get(reverse("admin:quizzes_question_export", args=["json"]))
    assert response.status_code == 302 and "login" in response.url


def test_an_exported_bank_imports_back(instructor_client, question):
    body = instructor_client.get(reverse("admin:quizzes_question_export", args=["json"])).content
    Question.objects.all().delete()
    response = upload(instructor_client, body, name="smp-bank.json")
    instructor_client.post(response.url)
    assert list(Question.objects.values_list("key", flat=True)) == ["gloves-01"]


def test_choices_are_edited_one_row_each_with_every_input_named(instructor_client, question):
    html = instructor_client.get(
        reverse("admin:quizzes_question_change", args=[question.pk])
    ).content.decode()
    assert 'data-inline-type="tabular"' in html
    checkbox = re.search(r'<input type="checkbox" name="choices-0-is_correct"[^>]*>', html)[0]
    assert 'aria-label="Correct, choice 1"' in checkbox and "checked" in checkbox
    assert 'aria-label="Text, choice 2"' in html
    assert 'aria-label="Delete, choice 2"' in html


def test_the_preview_shows_the_question_without_its_answer(instructor_client, question):
    response = instructor_client.get(reverse("admin:quizzes_question_preview", args=[question.pk]))
    html = response.content.decode()
    assert "When do you change gloves?" in html
    assert "For every client" in html and "Once a day" in html
    assert "correct" not in html.split('id="content"')[1].lower()


GIFT = """$CATEGORY: $course$/top/Aftercare

::aftercare-01::How should aftercare advice be given?{
=Both spoken and written#Right: both.
~Only spoken
####Give it both ways so the client can check later.
}

::aftercare-02::Is redness on day one normal?{TRUE}

::essay-01::Describe your cleaning routine.{}
"""


def upload(client, content, name="bank.gift", **extra):
    return client.post(
        reverse("admin:quizzes_question_import"),
        {"file": SimpleUploadedFile(name, content), **extra},
    )


def test_an_upload_is_previewed_and_applied_only_when_confirmed(instructor_client, db):
    response = upload(instructor_client, GIFT.encode())
    assert response.status_code == 302
    preview = instructor_client.get(response.url)
    html = preview.content.decode()
    assert "2 new questions" in html
    assert "Aftercare (aftercare)" in html
    # The table names the topic and the kind in words, not the slug and code of the file.
    assert "<td>aftercare-01</td><td>Aftercare</td><td>Single answer</td>" in html
    assert "Line 11: essay" in html
    assert "Line 9: aftercare-02" in html  # imported inactive: no general feedback
    assert not Question.objects.exists()

    instructor_client.post(response.url)
    assert Question.objects.count() == 2
    assert not Question.objects.get(key="aftercare-02").active
    assert AuditLogEntry.objects.get().actor.email == "ines@example.com"

    instructor_client.post(response.url)  # a second confirm imports nothing more
    assert Question.objects.count() == 2
    assert BankImport.objects.get().applied_at is not None


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.gift", "The submitted file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image.gift", "binary data"),
        (b"::q::Broken {=a ~b\n", "broken.gift", "Line 1"),
        (b'{"topics": 3}', "bank.json", '"topics" list'),
        (b"x" * (5 * 1024 * 1024 + 1), "huge.gift", "the limit is 5 MB"),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_written(
    instructor_client, db, content, name, message
):
    response = upload(instructor_client, content, name)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not Question.objects.exists()
    assert not BankImport.objects.exists()


def quiz_form(topic, count, **changes):
    data = {
        "title": "Hygiene check",
        "slug": "hygiene-check",
        "description": "",
        "purpose": "practice",
        "order": "0",
        "shuffle_questions": "on",
        "shuffle_choices": "on",
        "pass_mark": "80",
        "topic_floor": "0",
        "validity_days": "365",
        "cooldown_minutes": "0",
        "draw_rules-TOTAL_FORMS": "1",
        "draw_rules-INITIAL_FORMS": "0",
        "draw_rules-MIN_NUM_FORMS": "0",
        "draw_rules-MAX_NUM_FORMS": "1000",
        "draw_rules-0-topic": str(topic.pk),
        "draw_rules-0-count": str(count),
    }
    return data | changes


def test_an_instructor_creates_a_quiz_with_a_draw_rule(instructor_client, question):
    from quizzes.models import Quiz

    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_form(question.topic, 1)
    )
    assert response.status_code == 302
    assert Quiz.objects.get().draw_rules.get().count == 1


def test_a_draw_rule_asking_too_much_of_a_topic_is_refused_naming_it(instructor_client, question):
    from quizzes.models import Quiz

    response = instructor_client.post(
        reverse("admin:quizzes_quiz_add"), quiz_form(question.topic, 5)
    )
    assert response.status_code == 200
    assert "The topic “Hygiene” has only 1 active questions; the rule asks for 5." in (
        html.unescape(response.content.decode())
    )
    assert not Quiz.objects.exists()


def test_a_question_used_in_an_attempt_can_be_deactivated_but_not_deleted(
    instructor_client, question, alice
):
    from django.utils import timezone

    from quizzes.attempts import start_attempt
    from quizzes.models import DrawRule, Quiz

    quiz = Quiz.objects.create(title="Q", slug="q", published=True)
    DrawRule.objects.create(quiz=quiz, topic=question.topic, count=1)
    start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    response = instructor_client.post(
        reverse("admin:quizzes_question_delete", args=[question.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    run_action(instructor_client, "delete_selected", question)
    assert Question.objects.filter(pk=question.pk).exists()
    run_action(instructor_client, "deactivate", question)
    question.refresh_from_db()
    assert not question.active
