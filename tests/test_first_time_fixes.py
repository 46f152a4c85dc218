"""Things a first-time trainee or instructor tripped over, each fixed and held here."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import start_attempt, submit_attempt
from quizzes.insight import FEW_ATTEMPTS
from quizzes.models import Question, Quiz, Topic
from tests.conftest import answer_all
from tests.test_insight import sit


def text_of(client, url):
    return html.unescape(client.get(url).content.decode())


@pytest.fixture
def certification(quiz_factory):
    return quiz_factory(slug="cert", topics=2, per_topic=2, purpose="certification")


@pytest.fixture
def practice(quiz_factory, certification):
    return quiz_factory(slug="prac", topics=1, per_topic=4)


def test_study_notes_are_listed_in_topic_order(alice_client, db):
    Topic.objects.create(name="Aftercare", slug="aftercare", order=3)
    Topic.objects.create(name="Blue discoloration", slug="blue", order=1)
    Topic.objects.create(name="Consultation", slug="consultation", order=2)
    text = text_of(alice_client, reverse("quizzes:topic_list"))
    places = [text.index(name) for name in ("Blue discoloration", "Consultation", "Aftercare")]
    assert places == sorted(places)


def test_a_practice_page_offers_no_start_while_a_certification_is_open(
    alice_client, alice, certification, practice
):
    exam = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    text = text_of(alice_client, reverse("quizzes:quiz_detail", args=["prac"]))
    assert "Finish your certification attempt first" in text
    assert reverse("quizzes:resume", args=[exam.pk]) in text
    assert reverse("quizzes:start", args=["prac"]) not in text
    submit_attempt(attempt=exam, now=timezone.now())
    text = text_of(alice_client, reverse("quizzes:quiz_detail", args=["prac"]))
    assert reverse("quizzes:start", args=["prac"]) in text


def test_the_quiz_page_counts_only_the_fixed_questions_an_attempt_asks(
    alice_client, alice, practice
):
    active, inactive = Question.objects.filter(topic__slug="topic-1")[:2]
    Question.objects.filter(pk=inactive.pk).update(active=False)
    practice.fixed_questions.add(active, inactive)
    text = text_of(alice_client, reverse("quizzes:quiz_detail", args=["prac"]))
    assert "5 questions, one per page" in text  # four drawn and the active fixed one
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    assert attempt.question_count == 5


def test_a_failed_certification_result_links_study_in_one_query(
    alice_client, alice, certification, practice, django_assert_max_num_queries
):
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    answer_all(attempt, right=False)
    submit_attempt(attempt=attempt, now=timezone.now())
    # session, user, attempt, drawn questions' marks, "has passed", the start rule (none:
    # unlimited), an open exam, study links of the missed topics
    with django_assert_max_num_queries(7):
        response = alice_client.get(reverse("quizzes:result", args=[attempt.pk]))
    text = response.content.decode()
    assert reverse("quizzes:topic_detail", args=["topic-1"]) in text
    assert reverse("quizzes:topic_detail", args=["topic-2"]) in text
    assert reverse("quizzes:quiz_detail", args=["prac"]) in text  # topic 1 has a practice quiz


def test_item_analysis_states_the_minimum_before_flags(instructor_client, certification, alice):
    sit(certification, alice, [0, 1, 1, 1])
    text = text_of(instructor_client, reverse("insight:item_analysis", args=[certification.pk]))
    assert f"a question gets flags only once it has {FEW_ATTEMPTS} attempts" in text
    assert "too hard" not in text.split("<tbody>")[1]  # 0% facility, but one attempt


def test_the_records_filter_lists_certification_quizzes_only(
    instructor_client, quiz_factory, certification, practice
):
    renewal = quiz_factory(slug="renewal", title="Renewal", topics=1, purpose="certification")
    response = instructor_client.get(reverse("admin:quizzes_completionrecord_changelist"))
    (quiz_filter,) = [f for f in response.context["cl"].filter_specs if f.title == "quiz"]
    assert [pk for pk, _title in quiz_filter.lookup_choices] == [certification.pk, renewal.pk]
    assert Quiz.objects.filter(purpose="practice").exists()


def test_the_override_form_finds_the_trainee_by_search(instructor_client, alice):
    text = text_of(instructor_client, reverse("admin:quizzes_attemptoverride_add"))
    assert 'class="admin-autocomplete' in text
    found = instructor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "alice",
            "app_label": "quizzes",
            "model_name": "attemptoverride",
            "field_name": "trainee",
        },
    ).json()
    assert [r["id"] for r in found["results"]] == [str(alice.pk)]
