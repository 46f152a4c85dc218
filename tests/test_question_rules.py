import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quizzes.models import ChoiceDraft, Question, Topic


def drafts(*marks):
    """drafts("+", "-", "-") -> one correct choice and two wrong ones."""
    return [ChoiceDraft(f"choice {i}", mark == "+") for i, mark in enumerate(marks)]


def rule_errors(kind, choices):
    try:
        Question(kind=kind).validate_choices(choices)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@pytest.mark.parametrize(
    ("kind", "marks", "message"),
    [
        ("single", ("+", "-", "-"), ""),
        ("single", ("+", "+", "-"), "exactly one correct choice; it has 2"),
        ("single", ("-", "-"), "exactly one correct choice; it has 0"),
        ("multiple", ("+", "+", "-"), ""),
        ("multiple", ("+", "-"), ""),
        ("multiple", ("-", "-", "-"), "at least one correct choice"),
        ("multiple", ("+", "+", "+"), "at least one wrong choice"),
        ("true_false", ("+", "-"), ""),
        ("true_false", ("+", "+"), "exactly two choices, one of them correct"),
        ("true_false", ("+", "-", "-"), "exactly two choices, one of them correct"),
        ("single", ("+",), "at least two choices"),
        ("multiple", (), "at least two choices"),
    ],
)
def test_choices_must_suit_the_kind_of_question(kind, marks, message):
    errors = rule_errors(kind, drafts(*marks))
    if message:
        assert message in errors
    else:
        assert errors == ""


def test_every_choice_needs_text():
    errors = rule_errors("single", [ChoiceDraft("Yes", True), ChoiceDraft("  ", False)])
    assert "Choice 2 has no text" in errors


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="Hygiene", slug="hygiene")


def test_an_active_question_needs_an_explanation(topic):
    question = Question(topic=topic, key="q1", prompt="Why gloves?", active=True)
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert "Write an explanation before making the question active" in str(error.value)


def test_a_question_needs_a_prompt(topic):
    question = Question(topic=topic, key="q1", prompt="  ", explanation="Because.")
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert "prompt" in error.value.message_dict


def test_an_inactive_question_may_wait_for_its_explanation(topic):
    Question(topic=topic, key="q1", prompt="Why gloves?", active=False).full_clean()


def test_the_database_refuses_an_active_question_without_explanation(topic):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(topic=topic, key="q1", prompt="Why?", active=True)


def test_the_database_refuses_an_unknown_kind_and_an_empty_prompt(topic):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(topic=topic, key="q1", prompt="Why?", kind="essay")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(topic=topic, key="q2", prompt="")


def test_a_topic_with_questions_cannot_be_deleted(topic):
    from django.db.models import ProtectedError

    Question.objects.create(topic=topic, key="q1", prompt="Why?")
    with pytest.raises(ProtectedError):
        topic.delete()


def test_a_question_is_named_by_whole_words(db):
    question = Question(
        key="q-1",
        prompt="A client asks whether the numbing cream he bought online is safe under a wrap.",
    )
    assert str(question) == "q-1: A client asks whether the numbing cream he bought online …"
