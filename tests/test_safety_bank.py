"""The shipped bank: loading, and what its content promises trainees."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from quizzes.models import Question, Topic
from quizzes.safety_bank import read_shipped_bank

SOURCE_MATERIAL = Path(__file__).resolve().parents[2] / "shared" / "source-material"
TOPICS = {
    "pigment-and-needle-depth",
    "blue-discoloration",
    "swollen-lymph-nodes",
    "healing-side-effects",
    "hygiene-and-practitioner",
}


def load():
    out = io.StringIO()
    call_command("load_safety_bank", stdout=out)
    return out.getvalue()


def test_loading_twice_adds_nothing(db):
    load()
    counts = (Topic.objects.count(), Question.objects.count())
    assert "0 questions, 0 topics and 0 quizzes added" in load()
    assert (Topic.objects.count(), Question.objects.count()) == counts


def test_loading_never_overwrites_an_edited_question(db):
    load()
    question = Question.objects.get(key="hygiene-01")
    question.prompt = "Rewritten by our instructor"
    question.active = False
    question.save()
    question.choices.first().delete()
    load()
    question.refresh_from_db()
    assert question.prompt == "Rewritten by our instructor"
    assert not question.active


def test_the_bank_covers_five_topics_with_at_least_eight_questions_each(db):
    load()
    assert set(Topic.objects.values_list("slug", flat=True)) == TOPICS
    assert Question.objects.count() >= 60
    for topic in Topic.objects.all():
        assert topic.questions.filter(active=True).count() >= 8, topic.slug
        assert len(topic.study_notes.split()) >= 80, f"{topic.slug} needs study notes"
    kinds = set(Question.objects.values_list("kind", flat=True))
    assert kinds == {"single", "multiple", "true_false"}


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9'‘“(])", text.strip()) if s]


def test_every_question_teaches_why_and_names_its_source(db):
    for question in read_shipped_bank().questions:
        assert 2 <= len(sentences(question.explanation)) <= 4, question.key
        assert question.source_section.startswith(("Article:", "Infection-control notes:")), (
            question.key
        )
        assert question.active, question.key


def test_true_false_questions_offer_true_then_false(db):
    for question in read_shipped_bank().questions:
        if question.kind == "true_false":
            assert [c.text for c in question.choices] == ["True", "False"], question.key


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


@pytest.mark.skipif(not SOURCE_MATERIAL.is_dir(), reason="../shared/source-material not present")
def test_no_sentence_is_copied_from_the_source_material(db):
    source_ngrams = set()
    for path in SOURCE_MATERIAL.iterdir():
        w = words(path.read_text())
        source_ngrams |= {tuple(w[i : i + 8]) for i in range(len(w) - 7)}
    plan = read_shipped_bank()
    texts = [t.study_notes for t in plan.topics]
    for q in plan.questions:
        texts += [q.prompt, q.explanation] + [c.text for c in q.choices]
    for text in texts:
        w = words(text)
        copied = [
            " ".join(w[i : i + 8])
            for i in range(len(w) - 7)
            if tuple(w[i : i + 8]) in source_ngrams
        ]
        assert not copied, f"Copied from the material: {copied[0]!r} in {text[:60]!r}"


def test_loading_creates_the_certification_and_a_practice_quiz_per_topic(db, alice):
    import random

    from django.utils import timezone

    from quizzes.attempts import start_attempt
    from quizzes.models import Quiz

    load()
    certification = Quiz.objects.get(slug="smp-safety-certification")
    assert certification.is_certification and certification.published
    assert (certification.pass_mark, certification.topic_floor) == (80, 60)
    assert (certification.time_limit_minutes, certification.max_attempts) == (30, 3)
    attempt = start_attempt(
        quiz=certification, trainee=alice, now=timezone.now(), rng=random.Random(3)
    )
    per_topic = {}
    for drawn in attempt.drawn.all():
        per_topic[drawn.topic.slug] = per_topic.get(drawn.topic.slug, 0) + 1
    assert per_topic == dict.fromkeys(TOPICS, 5)
    practice = Quiz.objects.filter(purpose="practice", published=True)
    assert {q.slug for q in practice} == {f"practice-{slug}" for slug in TOPICS}
    assert all(q.time_limit_minutes is None for q in practice)


def test_loading_leaves_an_edited_quiz_alone(db):
    from quizzes.models import Quiz

    load()
    Quiz.objects.filter(slug="smp-safety-certification").update(pass_mark=90)
    load()
    assert Quiz.objects.get(slug="smp-safety-certification").pass_mark == 90


def test_the_right_answer_is_not_always_the_first_choice_stored(db):
    single = [q for q in read_shipped_bank().questions if q.kind == "single"]
    first_right = sum(q.choices[0].is_correct for q in single)
    assert first_right < len(single) / 2
