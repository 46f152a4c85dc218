"""Secure items, review options, practice that checks each answer, and overrides for one trainee."""

import random
from datetime import timedelta

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from quizzes.attempts import (
    AttemptRefused,
    CertificationInProgress,
    check_can_start,
    check_response,
    is_secure,
    marks,
    review_items,
    review_of,
    save_response,
    set_override,
    shows_key,
    start_attempt,
    start_missed_practice,
    submit_attempt,
    submit_by_trainee,
    topic_scores,
)
from quizzes.models import AuditLogEntry, DrawnQuestion, Question, ReviewItem, ReviewMoment
from tests.conftest import answer_all

NOW = timezone.now()


@pytest.fixture
def certification(quiz_factory):
    quiz = quiz_factory(
        slug="cert", purpose="certification", max_attempts=2, cooldown_minutes=60, per_topic=4
    )
    quiz.time_limit_minutes = 30
    quiz.save()
    return quiz


@pytest.fixture
def practice(quiz_factory, certification):
    """A practice quiz over the same two topics, which hold two certification-only questions."""
    Question.objects.filter(key__in=["cert-t1-q1", "cert-t2-q1"]).update(usage="certification")
    quiz = quiz_factory(slug="prac", per_topic=3)
    quiz.draw_rules.update(count=3)
    return quiz


def start(quiz, trainee, now=NOW, seed=1):
    return start_attempt(quiz=quiz, trainee=trainee, now=now, rng=random.Random(seed))


def wrong_values(drawn):
    wrong = next(i for i in range(len(drawn.choices)) if not drawn.is_correct_choice(i))
    return [str(drawn.display_order.index(wrong) + 1)]


# --- Secure items -------------------------------------------------------------------------------


def test_practice_never_draws_a_certification_only_question(practice, alice):
    for seed in range(10):
        attempt = start(practice, alice, seed=seed)
        keys = set(attempt.drawn.values_list("question__key", flat=True))
        assert not keys & {"cert-t1-q1", "cert-t2-q1"}
        submit_attempt(attempt=attempt, now=NOW)


def test_the_certification_draws_them_and_marks_them_secure(certification, practice, alice):
    attempt = start(certification, alice)
    secure = set(attempt.drawn.filter(secure=True).values_list("question__key", flat=True))
    assert secure == {"cert-t1-q1", "cert-t2-q1"}


def test_no_practice_moves_while_a_certification_attempt_is_open(certification, practice, alice):
    earlier = start(practice, alice)
    exam = start(certification, alice)
    with pytest.raises(CertificationInProgress) as refused:
        start(practice, alice)
    assert refused.value.attempt == exam
    first = earlier.drawn.get(position=1)
    with pytest.raises(CertificationInProgress):
        check_response(attempt=earlier, position=1, values=wrong_values(first), now=NOW)
    with pytest.raises(CertificationInProgress):
        submit_by_trainee(attempt=earlier, now=NOW)
    with pytest.raises(CertificationInProgress):
        start_missed_practice(trainee=alice, now=NOW)
    assert not earlier.drawn.exclude(checked_at=None).exists()
    # Once the certification is submitted, or its time has run out, practice opens again.
    submit_attempt(attempt=exam, now=NOW)
    assert submit_by_trainee(attempt=earlier, now=NOW).is_submitted


def test_a_missed_secure_question_is_practiced_through_another_of_its_topic(
    certification, practice, alice
):
    exam = start(certification, alice)
    answer_all(exam, right=True)
    secure = exam.drawn.get(question__key="cert-t1-q1")
    save_response(attempt=exam, position=secure.position, values=wrong_values(secure), now=NOW)
    submit_attempt(attempt=exam, now=NOW)
    drill = start_missed_practice(trainee=alice, now=NOW, rng=random.Random(2))
    drawn = list(drill.drawn.select_related("question"))
    assert len(drawn) == 1
    assert drawn[0].question.usage != "certification"
    assert drawn[0].question.topic_id == secure.topic_id


# --- Review options -------------------------------------------------------------------------


def submitted(quiz, trainee, *, right, now=NOW):
    attempt = start(quiz, trainee, now=now)
    answer_all(attempt, right=right)
    return submit_attempt(attempt=attempt, now=now)


def test_practice_shows_everything_and_the_certification_only_the_scores(
    certification, practice, alice
):
    attempt = submitted(practice, alice, right=False)
    assert review_items(attempt, check_can_start(practice, alice, NOW), passed_quiz=False) == set(
        ReviewItem.values
    )
    exam = submitted(certification, alice, right=False)
    shown = review_items(exam, check_can_start(certification, alice, NOW), passed_quiz=False)
    assert shown == {ReviewItem.SCORE, ReviewItem.TOPIC_SCORES}


def test_each_moment_adds_what_the_instructor_ticked(certification, alice):
    certification.review_options = {
        ReviewMoment.AFTER_ATTEMPT: [ReviewItem.SCORE],
        ReviewMoment.AFTER_PASS: [ReviewItem.CORRECTNESS],
        ReviewMoment.AFTER_CLOSE: [ReviewItem.RIGHT_ANSWERS, ReviewItem.EXPLANATIONS],
    }
    certification.save()
    first = submitted(certification, alice, right=False)
    check = check_can_start(certification, alice, NOW)
    assert review_items(first, check, passed_quiz=False) == {ReviewItem.SCORE}
    later = NOW + timedelta(hours=2)
    second = submitted(certification, alice, right=False, now=later)  # the last attempt
    check = check_can_start(certification, alice, later)
    assert check.attempts_left == 0
    assert review_items(second, check, passed_quiz=False) == {
        ReviewItem.SCORE,
        ReviewItem.RIGHT_ANSWERS,
        ReviewItem.EXPLANATIONS,
    }


def test_a_secure_questions_key_is_never_shown_whatever_is_ticked(certification, practice, alice):
    exam = submitted(certification, alice, right=False)
    everything = set(ReviewItem.values)
    for drawn in exam.drawn.all():
        shown = shows_key(drawn, everything)
        assert any(shown.values()) != drawn.secure


def test_an_attempts_marks_read_alone_match_its_drawn_questions(practice, alice):
    """The result page reads only the marks when it shows no question: the same marks, down to
    a question made certification-only after it was drawn."""
    attempt = start(practice, alice)
    answer_all(attempt, right=True, skip={2})
    graded = submit_attempt(attempt=attempt, now=NOW)
    made_secure = graded.drawn.get(position=3).question
    Question.objects.filter(pk=made_secure.pk).update(usage=Question.Usage.CERTIFICATION)
    drawn = graded.drawn.select_related("question").order_by("position")
    assert [(m.position, m.critical, m.earned, m.secure) for m in marks(graded)] == [
        (d.position, d.critical, d.earned, is_secure(d)) for d in drawn
    ]
    assert [(m.earned, m.secure) for m in marks(graded)][1:3] == [(0, False), (1, True)]


def test_topic_scores_from_the_marks_are_the_databases_sums_per_topic_in_topic_order(
    practice, alice
):
    attempt = start(practice, alice)
    answer_all(attempt, right=True, skip={2})
    graded = submit_attempt(attempt=attempt, now=NOW)
    for position, credit in [(1, 0.5), (3, 1 / 3), (4, 2 / 3)]:  # partial credit sums inexactly
        graded.drawn.filter(position=position).update(earned=credit)
    database = (
        DrawnQuestion.objects.filter(attempt=graded)
        .values("topic_id", "topic_name")
        .annotate(earned=Sum("earned"), questions=Count("id"))
        .order_by("topic__order", "topic_name")
    )
    assert [
        (t.topic_id, t.name, round(t.earned, 12), t.questions) for t in topic_scores(graded)
    ] == [
        (r["topic_id"], r["topic_name"], round(r["earned"], 12), r["questions"]) for r in database
    ]
    assert len(database) == 2


# --- Practice that checks each answer ---------------------------------------------------------


def test_a_checked_practice_answer_is_marked_and_locked(practice, alice):
    attempt = start(practice, alice)
    drawn = attempt.drawn.get(position=1)
    checked = check_response(attempt=attempt, position=1, values=wrong_values(drawn), now=NOW)
    assert checked.checked_at is not None and checked.earned == 0
    right = [
        str(drawn.display_order.index(i) + 1)
        for i in range(len(drawn.choices))
        if drawn.is_correct_choice(i)
    ]
    with pytest.raises(AttemptRefused, match="checked"):
        save_response(attempt=attempt, position=1, values=right, now=NOW)
    assert DrawnQuestion.objects.get(pk=drawn.pk).selected == checked.selected


def test_a_certification_answer_cannot_be_checked(certification, alice):
    exam = start(certification, alice)
    drawn = exam.drawn.get(position=1)
    with pytest.raises(AttemptRefused, match="only in practice"):
        check_response(attempt=exam, position=1, values=wrong_values(drawn), now=NOW)


# --- Overrides ----------------------------------------------------------------------------------


def override(quiz, trainee, instructor, **extras):
    values = {"extra_minutes": 0, "extra_attempts": 0, "lift_cooldown": False, **extras}
    return set_override(
        trainee=trainee,
        quiz=quiz,
        reason="Dyslexia assessment",
        actor=instructor,
        now=NOW,
        **values,
    )


def test_extra_attempts_let_one_trainee_start_again(certification, alice, bob, instructor):
    for hours in (0, 2):
        submitted(certification, alice, right=False, now=NOW + timedelta(hours=hours))
        submitted(certification, bob, right=False, now=NOW + timedelta(hours=hours))
    later = NOW + timedelta(hours=4)
    assert not check_can_start(certification, alice, later).allowed
    override(certification, alice, instructor, extra_attempts=1)
    check = check_can_start(certification, alice, later)
    assert (check.allowed, check.attempts_left, check.attempts_allowed) == (True, 1, 3)
    assert not check_can_start(certification, bob, later).allowed


def test_lifting_the_cooldown_lets_the_trainee_start_at_once(certification, alice, instructor):
    submitted(certification, alice, right=False)
    soon = NOW + timedelta(minutes=5)
    waiting = check_can_start(certification, alice, soon)
    assert not waiting.allowed and waiting.ready_at == NOW + timedelta(minutes=60)
    override(certification, alice, instructor, lift_cooldown=True)
    assert check_can_start(certification, alice, soon).allowed


def test_extra_time_reaches_the_attempt_in_progress_and_the_next(certification, alice, instructor):
    current = start(certification, alice)
    override(certification, alice, instructor, extra_minutes=15)
    current.refresh_from_db()
    assert current.deadline == NOW + timedelta(minutes=45)
    entry = AuditLogEntry.objects.get(action="quizzes.override.set")
    assert entry.actor == instructor
    assert entry.data["reason"] == "Dyslexia assessment"
    assert entry.data["extra_minutes"] == 15


def test_an_override_needs_a_reason(certification, alice, instructor):
    with pytest.raises(AttemptRefused, match="reason"):
        set_override(
            trainee=alice,
            quiz=certification,
            extra_minutes=10,
            extra_attempts=0,
            lift_cooldown=False,
            reason="  ",
            actor=instructor,
            now=NOW,
        )
    assert not AuditLogEntry.objects.exists()


def test_passing_opens_what_is_ticked_for_after_the_pass(practice, alice):
    practice.review_options = {
        ReviewMoment.AFTER_ATTEMPT: [ReviewItem.SCORE],
        ReviewMoment.AFTER_PASS: [ReviewItem.EXPLANATIONS],
        ReviewMoment.AFTER_CLOSE: [],
    }
    practice.save()
    failed = submitted(practice, alice, right=False)
    check = check_can_start(practice, alice, NOW)
    assert review_items(failed, check, passed_quiz=False) == {ReviewItem.SCORE}
    assert review_of(failed, NOW).shown == {ReviewItem.SCORE}
    passed = submitted(practice, alice, right=True)
    assert passed.passed
    # once passed, the earlier attempt's review opens up too
    assert review_items(failed, check, passed_quiz=True) == {
        ReviewItem.SCORE,
        ReviewItem.EXPLANATIONS,
    }
    assert (
        review_of(failed, NOW).shown
        == review_of(passed, NOW).shown
        == {
            ReviewItem.SCORE,
            ReviewItem.EXPLANATIONS,
        }
    )


def test_less_extra_time_never_ends_an_attempt_before_now(certification, alice, instructor):
    override(certification, alice, instructor, extra_minutes=30)
    current = start(certification, alice, now=NOW - timedelta(minutes=40))
    assert current.deadline == NOW + timedelta(minutes=20)
    override(certification, alice, instructor, extra_minutes=0)
    current.refresh_from_db()
    assert current.deadline == NOW
