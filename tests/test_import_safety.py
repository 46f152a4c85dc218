"""Imported text reaches pages sanitised; an upload is parsed once; CSV cells are all quoted."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from quizzes import richtext
from quizzes.attempts import start_attempt
from quizzes.importers import read_gift_bank
from quizzes.models import BankImport, CompletionRecord, DrawRule, Question, Quiz
from tests.conftest import pass_quiz
from tests.test_records import admin_action

HTML_GIFT = r"""$CATEGORY: Hygiene

::html-q::[html]<p>Which glove is <b>right</b> for SMP?</p><script>alert("x")</script>{
  =[html]<i>Nitrile</i> <img src\=x onerror\=alert(1)>#[html]<a href\="javascript:alert(1)">Yes</a>
  ~Latex
  ####[html]Nitrile avoids <em>latex allergies</em>.<style>p\{color:red\}</style>
}
"""


def test_sanitise_keeps_bold_and_drops_scripts_links_and_attributes():
    assert richtext.sanitize('<b onclick="x()">bold</b><script>alert(1)</script>') == (
        "<b>bold</b>"
    )
    assert richtext.sanitize('<a href="javascript:x">link</a> & 2 < 3') == "link &amp; 2 &lt; 3"
    assert richtext.as_html("line one\nline <i>two</i>") == "line one<br>line <i>two</i>"
    assert richtext.as_plain_text("<b>Tom</b> &amp; Jerry") == "Tom & Jerry"


def test_gift_html_text_is_sanitised_when_read(db):
    plan = read_gift_bank(HTML_GIFT.encode())
    question = plan.questions[0]
    assert question.prompt == "Which glove is <b>right</b> for SMP?"
    assert question.choices[0].text == "<i>Nitrile</i>"
    assert question.choices[0].feedback == "Yes"
    assert question.explanation == "Nitrile avoids <em>latex allergies</em>."


@pytest.fixture
def html_quiz(db):
    from quizzes.importers import apply_plan

    apply_plan(read_gift_bank(HTML_GIFT.encode()))
    question = Question.objects.get(key="html-q")
    quiz = Quiz.objects.create(
        title="Gloves", slug="gloves", published=True, shuffle_choices=False, pass_mark=50
    )
    DrawRule.objects.create(quiz=quiz, topic=question.topic, count=1)
    return quiz


def test_a_trainee_sees_html_questions_in_bold_never_as_tags_or_scripts(
    alice_client, alice, html_quiz
):
    attempt = start_attempt(quiz=html_quiz, trainee=alice, now=timezone.now())
    page = alice_client.get(reverse("quizzes:question", args=[attempt.pk, 1])).content.decode()
    assert "Which glove is <b>right</b> for SMP?" in page
    assert "&lt;b&gt;" not in page
    assert "<i>Nitrile</i>" in page
    assert "onerror" not in page
    assert "alert" not in page


def test_markup_typed_in_the_admin_is_sanitised_on_the_page_too(alice_client, alice, html_quiz):
    Question.objects.filter(key="html-q").update(
        prompt='<b>Bold</b> <script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    attempt = start_attempt(quiz=html_quiz, trainee=alice, now=timezone.now())
    page = alice_client.get(reverse("quizzes:question", args=[attempt.pk, 1])).content.decode()
    assert "<b>Bold</b>" in page
    assert "onerror" not in page
    assert 'alert("x")' not in page


def upload(client, content, name="bank.gift"):
    return client.post(
        reverse("admin:quizzes_question_import"), {"file": SimpleUploadedFile(name, content)}
    )


def test_an_upload_is_parsed_once_not_on_every_view_of_its_preview(
    instructor_client, db, django_assert_max_num_queries
):
    big = "\n".join(
        f"$CATEGORY: Hygiene\n\n::q{n}::Question {n}?{{=Yes ~No ####Because.}}\n"
        for n in range(300)
    )
    response = upload(instructor_client, big.encode())
    assert response.status_code == 302
    assert BankImport.objects.get().plan is not None
    with mock.patch("quizzes.importers.parse_gift", side_effect=AssertionError("parsed again")):
        # session, user, two for permissions, the upload without its file, then the bank's
        # topics by slug and by name and its questions by key
        with django_assert_max_num_queries(8):
            preview = instructor_client.get(response.url)
        assert "300 new questions" in preview.content.decode()
        instructor_client.post(response.url)
    assert Question.objects.count() == 300


def test_an_upload_stored_before_plans_were_kept_is_read_once_and_kept(instructor_client, db):
    upload(instructor_client, HTML_GIFT.encode())
    BankImport.objects.update(plan=None)
    stored = BankImport.objects.get()
    preview = instructor_client.get(
        reverse("admin:quizzes_question_import_preview", args=[stored.pk])
    )
    assert "1 new question" in preview.content.decode()
    assert BankImport.objects.get().plan["questions"][0]["key"] == "html-q"


def test_every_cell_of_the_record_export_is_quoted(instructor_client, quiz_factory, alice):
    certification = quiz_factory(slug="cert", purpose="certification")
    pass_quiz(certification, alice, timezone.now() - timedelta(days=1))
    response = admin_action(instructor_client, "export_csv", [CompletionRecord.objects.get()])
    lines = response.content.decode().splitlines()
    assert lines[0].startswith('"name","job title",')
    assert lines[1].startswith('"Alice Adams","SMP practitioner",')
    assert ',"100",' in lines[1]  # even a number is quoted
