"""The shipped bank: loading, upgrading an installed bank, and what its content promises."""

import io
import json
import random
import re
import shutil
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from quizzes.attempts import start_attempt, submit_attempt
from quizzes.importers import apply_plan
from quizzes.models import AuditLogEntry, DrawnQuestion, DrawRule, Question, Quiz, Topic
from quizzes.safety_bank import (
    BANK_DIR,
    BLUEPRINT,
    CERTIFICATION_SLUG,
    _current_fingerprints,
    load_safety_bank,
    read_history,
    read_shipped_bank,
    record_history,
)
from tests.conftest import answer_all

SOURCE_MATERIAL = Path(__file__).resolve().parents[2] / "shared" / "source-material"
FIRST_BANK = Path(__file__).resolve().parent / "data" / "first-bank"
TOPICS = set(BLUEPRINT)


def load():
    out = io.StringIO()
    call_command("load_safety_bank", stdout=out)
    return out.getvalue()


# --- Installing --------------------------------------------------------------------------------


def test_loading_twice_changes_nothing(db):
    load()
    counts = (Topic.objects.count(), Question.objects.count(), AuditLogEntry.objects.count())
    output = load()
    assert "0 questions added, 0 updated, 0 retired" in output
    assert "0 topics added, 0 updated; 0 quizzes added, 0 updated" in output
    assert (
        Topic.objects.count(),
        Question.objects.count(),
        AuditLogEntry.objects.count(),
    ) == counts


def test_the_bank_covers_seven_topics_with_thirty_active_questions_each(db):
    load()
    assert set(Topic.objects.values_list("slug", flat=True)) == TOPICS
    assert Question.objects.filter(active=True).count() >= 240
    for topic in Topic.objects.all():
        active = topic.questions.filter(active=True)
        assert active.count() >= 30, topic.slug
        # at least a third of each topic is kept for the certification (secure items)
        assert active.filter(usage="certification").count() * 3 >= active.count(), topic.slug
        assert active.filter(critical=True).exists() or topic.slug == "blue-discoloration"
    assert set(Question.objects.values_list("kind", flat=True)) == {
        "single",
        "multiple",
        "true_false",
    }


def test_every_shipped_illustration_is_stored_and_used(db):
    load()
    images = {path.name for path in (BANK_DIR / "images").glob("*.svg")}
    assert len(images) >= 12
    for name in images:
        assert default_storage.exists(f"illustrations/{name}"), name
    used = {q.image.name.removeprefix("illustrations/") for q in Question.objects.exclude(image="")}
    notes = " ".join(Topic.objects.values_list("study_notes", flat=True))
    assert images <= used | set(re.findall(r"\(([\w.-]+\.svg)\)", notes))
    assert not Question.objects.exclude(image="").filter(image_alt="").exists()


def test_the_certification_draws_by_the_blueprint_with_floors(db, alice):
    load()
    certification = Quiz.objects.get(slug=CERTIFICATION_SLUG)
    assert certification.is_certification and certification.published
    assert (certification.pass_mark, certification.topic_floor) == (80, 60)
    attempt = start_attempt(
        quiz=certification, trainee=alice, now=timezone.now(), rng=random.Random(3)
    )
    per_topic = {}
    for drawn in attempt.drawn.select_related("topic"):
        per_topic[drawn.topic.slug] = per_topic.get(drawn.topic.slug, 0) + 1
    assert per_topic == {slug: count for slug, (count, _floor) in BLUEPRINT.items()}
    assert sum(per_topic.values()) == 30
    # the heavier topics carry a higher floor, kept with the attempt
    floors = {Topic.objects.get(pk=int(pk)).slug: f for pk, f in attempt.topic_floors.items()}
    assert floors == {"hygiene-and-practitioner": 80, "bloodborne-pathogens": 80}
    practice = Quiz.objects.filter(purpose="practice", published=True)
    assert {q.slug for q in practice} == {f"practice-{slug}" for slug in TOPICS}
    assert all(q.time_limit_minutes is None for q in practice)


def test_practice_never_draws_a_certification_only_question(db, alice):
    load()
    for quiz in Quiz.objects.filter(purpose="practice"):
        for seed in range(3):
            attempt = start_attempt(
                quiz=quiz, trainee=alice, now=timezone.now(), rng=random.Random(seed)
            )
            assert not attempt.drawn.filter(question__usage="certification").exists()
            submit_attempt(attempt=attempt, now=timezone.now())


# --- Upgrading an installed first bank ---------------------------------------------------------


FIRST_CERTIFICATION = {
    "title": "SMP Safety Certification",
    "description": (
        "The certification quiz: 25 questions, 5 from each safety topic. Pass with 80% overall "
        "and at least 60% in every topic to receive a completion record valid for one year."
    ),
    "purpose": "certification",
    "pass_mark": 80,
    "topic_floor": 60,
    "time_limit_minutes": 30,
    "max_attempts": 3,
    "cooldown_minutes": 60,
    "validity_days": 365,
    "published": True,
}


@pytest.fixture
def first_bank_installed(db, alice):
    """A database as the first release left it: its bank, its quizzes and a trainee's attempt."""
    apply_plan(read_shipped_bank(FIRST_BANK), source="load_safety_bank")
    topics = list(Topic.objects.all())
    certification = Quiz.objects.create(slug=CERTIFICATION_SLUG, **FIRST_CERTIFICATION)
    for topic in topics:
        DrawRule.objects.create(quiz=certification, topic=topic, count=5)
        practice = Quiz.objects.create(
            slug=f"practice-{topic.slug}",
            title=f"Practice: {topic.name}",
            description=(
                f"8 questions on {topic.name.lower()}, untimed, as often as you like. Read the "
                "study notes first."
            ),
            purpose="practice",
            published=True,
        )
        DrawRule.objects.create(quiz=practice, topic=topic, count=8)
    edited = Question.objects.get(key="hygiene-01")
    edited.prompt = "Our academy's own wording of this question."
    edited.save()
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    answer_all(attempt)
    submit_attempt(attempt=attempt, now=timezone.now())
    return attempt


def test_an_installed_first_bank_upgrades_keeping_edits_and_past_attempts(first_bank_installed):
    attempt = first_bank_installed
    snapshot = list(DrawnQuestion.objects.filter(attempt=attempt).values_list("prompt", flat=True))
    output = load()
    # every question of the first bank that nobody edited is retired, not deleted
    assert "83 retired" in output
    assert "question hygiene-01" in output
    assert Question.objects.filter(key__startswith="lymph-", active=True).count() == 0
    assert Question.objects.filter(key__startswith="lymph-").count() == 8
    edited = Question.objects.get(key="hygiene-01")
    assert (edited.active, edited.prompt) == (True, "Our academy's own wording of this question.")
    # the shipped topics and quizzes took the new names and blueprint
    assert (
        Topic.objects.get(slug="swollen-lymph-nodes").name
        == "Swollen lymph nodes and when to refer"
    )
    certification = Quiz.objects.get(slug=CERTIFICATION_SLUG)
    assert sum(certification.draw_rules.values_list("count", flat=True)) == 30
    # the past attempt reads as it was taken
    assert (
        list(DrawnQuestion.objects.filter(attempt=attempt).values_list("prompt", flat=True))
        == snapshot
    )
    again = load()
    assert "0 questions added, 0 updated, 0 retired" in again
    assert "0 quizzes added, 0 updated" in again


def test_an_unedited_shipped_question_is_brought_up_to_date(db, tmp_path):
    bank = tmp_path / "bank"
    shutil.copytree(BANK_DIR, bank)
    load_safety_bank(bank)
    record_history(bank)  # the bank as installed is a shipped version
    path = bank / "consultation.json"
    path.write_text(path.read_text().replace('"explanation": "', '"explanation": "Newer: ', 1))
    changed_key = json.loads(path.read_text())["topics"][0]["questions"][0]["key"]
    report = load_safety_bank(bank)
    assert report.questions_updated == 1
    assert Question.objects.get(key=changed_key).explanation.startswith("Newer: ")


def test_an_instructors_quiz_settings_are_left_alone_and_listed(db):
    load()
    Quiz.objects.filter(slug=CERTIFICATION_SLUG).update(pass_mark=90)
    output = load()
    assert f"quiz {CERTIFICATION_SLUG}" in output
    assert Quiz.objects.get(slug=CERTIFICATION_SLUG).pass_mark == 90


def test_the_history_knows_the_bank_as_shipped_now(db):
    """Fails after the bank files change: run `manage.py load_safety_bank --record-history`."""
    history = read_history()
    for kind, prints in _current_fingerprints(read_shipped_bank(validate=False)).items():
        for name, print_ in prints.items():
            assert print_ in history[kind].get(name, []), f"{kind} {name}"


# --- What the content promises trainees ---------------------------------------------------------


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9'‘“(])", text.strip()) if s]


def test_every_question_teaches_why_and_names_its_source(db):
    headings = {}
    if SOURCE_MATERIAL.is_dir():
        for document, file in [
            ("client-health", "client-health-notes.md"),
            ("infection-control", "infection-control-notes.md"),
        ]:
            text = (SOURCE_MATERIAL / file).read_text()
            headings[document] = set(re.findall(r"^#+ (.+)$", text, re.M))
    for question in read_shipped_bank().questions:
        assert 2 <= len(sentences(question.explanation)) <= 4, question.key
        assert question.source_document in {"article", "infection-control", "client-health"}
        assert question.source_section, question.key
        if question.source_document in headings:
            assert question.source_section in headings[question.source_document], question.key
        assert question.active, question.key


def test_study_notes_take_three_to_five_minutes_and_say_when_to_refer(db):
    for topic in read_shipped_bank().topics:
        minutes = len(topic.study_notes.split()) / 200  # an unhurried reading pace
        assert 2.5 <= minutes <= 5, (topic.slug, minutes)
    referrals = [t.slug for t in read_shipped_bank().topics if t.referral_notes]
    assert {"swollen-lymph-nodes", "healing-side-effects", "bloodborne-pathogens"} <= set(referrals)


def test_true_false_questions_offer_true_then_false(db):
    for question in read_shipped_bank().questions:
        if question.kind == "true_false":
            assert [c.text for c in question.choices] == ["True", "False"], question.key


def words(text):
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


@pytest.mark.skipif(not SOURCE_MATERIAL.is_dir(), reason="../shared/source-material not present")
def test_no_run_of_eight_words_is_copied_from_the_source_material(db):
    source_ngrams = set()
    for path in SOURCE_MATERIAL.iterdir():
        w = words(path.read_text())
        source_ngrams |= {tuple(w[i : i + 8]) for i in range(len(w) - 7)}
    plan = read_shipped_bank()
    texts = [t.study_notes for t in plan.topics] + [t.referral_notes for t in plan.topics]
    for q in plan.questions:
        texts += [q.prompt, q.explanation, q.image_alt] + [c.text for c in q.choices]
    for text in texts:
        w = words(text)
        copied = [
            " ".join(w[i : i + 8])
            for i in range(len(w) - 7)
            if tuple(w[i : i + 8]) in source_ngrams
        ]
        assert not copied, f"Copied from the material: {copied[0]!r} in {text[:60]!r}"
