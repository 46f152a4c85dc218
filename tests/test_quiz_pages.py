import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import save_response, start_attempt, submit_attempt
from quizzes.models import Attempt
from tests.conftest import answer_all


@pytest.fixture
def quiz(quiz_factory):
    return quiz_factory(topics=2, per_topic=5, max_attempts=3)


def start_via_post(client, quiz):
    response = client.post(reverse("quizzes:start", args=[quiz.slug]))
    assert response.status_code == 302
    return Attempt.objects.latest("id"), response


def test_every_quiz_page_sends_anonymous_visitors_to_login(client, quiz, alice):
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    urls = [
        reverse("quizzes:quiz_list"),
        reverse("quizzes:quiz_detail", args=[quiz.slug]),
        reverse("quizzes:resume", args=[attempt.pk]),
        reverse("quizzes:question", args=[attempt.pk, 1]),
        reverse("quizzes:review", args=[attempt.pk]),
        reverse("quizzes:result", args=[attempt.pk]),
        reverse("quizzes:history"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for url in (reverse("quizzes:start", args=[quiz.slug]), reverse("quizzes:submit", args=[1])):
        assert client.post(url).status_code == 302


def test_another_trainees_attempt_is_a_404_and_stays_unchanged(client, quiz, alice, bob):
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    client.force_login(bob)
    for name, args in [("resume", []), ("question", [1]), ("review", []), ("result", [])]:
        assert client.get(reverse(f"quizzes:{name}", args=[attempt.pk, *args])).status_code == 404
    assert (
        client.post(reverse("quizzes:question", args=[attempt.pk, 1]), {"choice": "1"}).status_code
        == 404
    )
    assert client.post(reverse("quizzes:submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert not attempt.drawn.filter(selected__isnull=False).exists()


def test_a_question_number_out_of_range_is_a_404(alice_client, quiz):
    attempt, _ = start_via_post(alice_client, quiz)
    assert alice_client.get(reverse("quizzes:question", args=[attempt.pk, 11])).status_code == 404
    assert alice_client.get(reverse("quizzes:question", args=[attempt.pk, 0])).status_code == 404


def test_an_unpublished_quiz_is_a_404(alice_client, quiz_factory):
    hidden = quiz_factory(slug="hidden", published=False)
    assert alice_client.get(reverse("quizzes:quiz_detail", args=[hidden.slug])).status_code == 404
    assert alice_client.post(reverse("quizzes:start", args=[hidden.slug])).status_code == 404


def test_start_opens_the_first_question_and_next_saves_the_answer(alice_client, quiz):
    attempt, response = start_via_post(alice_client, quiz)
    assert response.url == reverse("quizzes:question", args=[attempt.pk, 1])
    page = alice_client.get(response.url).content.decode()
    assert "Question 1 of 10" in page
    response = alice_client.post(response.url, {"choice": "1", "go": "next"})
    assert response.url == reverse("quizzes:question", args=[attempt.pk, 2])
    assert attempt.drawn.get(position=1).selected == 1


def test_the_pages_script_saves_a_pick_without_moving(alice_client, quiz):
    attempt, response = start_via_post(alice_client, quiz)
    response = alice_client.post(response.url, {"choice": "2", "go": "stay"})
    assert response.url == reverse("quizzes:question", args=[attempt.pk, 1])
    assert attempt.drawn.get(position=1).selected == 2


def test_resume_returns_where_the_trainee_left_off(alice_client, quiz):
    attempt, _ = start_via_post(alice_client, quiz)
    alice_client.post(reverse("quizzes:question", args=[attempt.pk, 1]), {"choice": "1", "go": "7"})
    response = alice_client.get(reverse("quizzes:resume", args=[attempt.pk]))
    assert response.url == reverse("quizzes:question", args=[attempt.pk, 7])
    page = alice_client.get(reverse("quizzes:question", args=[attempt.pk, 1])).content.decode()
    assert re.search(r'value="1" id="choice-1" checked', page)


def test_the_navigator_marks_the_current_question_and_the_answered_ones(alice_client, quiz):
    attempt, response = start_via_post(alice_client, quiz)
    alice_client.post(response.url, {"choice": "1", "go": "3"})
    page = alice_client.get(reverse("quizzes:question", args=[attempt.pk, 3])).content.decode()
    buttons = re.findall(r'<button type="submit" name="go" value="(\d+)"[^>]*>', page)
    assert buttons == [str(n) for n in range(1, 11)]
    assert re.search(
        r'value="1" class="btn btn-sm btn-success" aria-label="Question 1, answered"', page
    )
    assert re.search(
        r'value="3" class="btn btn-sm btn-dark" aria-label="Question 3, not answered" '
        r'aria-current="step"',
        page,
    )
    assert 'aria-label="Question 2, not answered">2</button>' in page


def test_a_tampered_choice_gets_a_message_and_saves_nothing(alice_client, quiz):
    attempt, response = start_via_post(alice_client, quiz)
    response = alice_client.post(response.url, {"choice": "42", "go": "next"}, follow=True)
    assert "does not belong to this question" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("quizzes:question", args=[attempt.pk, 1])
    assert attempt.drawn.get(position=1).selected is None


def test_an_answer_after_the_deadline_is_refused_and_the_attempt_graded(alice_client, quiz_factory):
    quiz = quiz_factory(slug="timed", time_limit_minutes=5)
    attempt, response = start_via_post(alice_client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    response = alice_client.post(response.url, {"choice": "1", "go": "next"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("quizzes:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.drawn.get(position=1).selected is None


def test_the_review_page_lists_unanswered_questions(alice_client, quiz):
    attempt, _ = start_via_post(alice_client, quiz)
    answer_all(attempt, right=True, skip=(3, 8))
    page = alice_client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "2 questions not answered" in page
    assert ">Question 3</a>" in page and ">Question 8</a>" in page


def test_a_second_submit_changes_nothing_and_says_so(alice_client, quiz):
    attempt, _ = start_via_post(alice_client, quiz)
    answer_all(attempt, right=True)
    alice_client.post(reverse("quizzes:submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    response = alice_client.post(reverse("quizzes:submit", args=[attempt.pk]), follow=True)
    assert "already submitted" in response.content.decode()
    submitted_at = attempt.submitted_at
    attempt.refresh_from_db()
    assert attempt.submitted_at == submitted_at


def test_starting_beyond_the_limit_is_refused_with_a_message(alice_client, alice, quiz):
    for _ in range(3):
        submit_attempt(
            attempt=start_attempt(quiz=quiz, trainee=alice, now=timezone.now()), now=timezone.now()
        )
    response = alice_client.post(reverse("quizzes:start", args=[quiz.slug]), follow=True)
    assert "used all 3 attempts" in response.content.decode()
    assert Attempt.objects.count() == 3


def test_the_result_shows_score_verdict_topics_and_explanations(alice_client, quiz):
    attempt, _ = start_via_post(alice_client, quiz)
    answer_all(attempt, right=True, skip=(1,))
    alice_client.post(reverse("quizzes:submit", args=[attempt.pk]), {"confirm": "yes"})
    page = alice_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert "9 of 10 right — 90%" in page
    assert "Topic 1</th>" in page and "80%" in page
    assert "Because 1.1." in page
    assert "not answered" in page
    assert page.count("right answer</span>") >= 10


def test_a_failed_topic_floor_is_named_on_the_result(alice_client, quiz_factory):
    quiz = quiz_factory(
        slug="floored",
        topics=5,
        per_topic=5,
        kinds=("single",),
        topic_floor=60,
        purpose="certification",
    )
    attempt, _ = start_via_post(alice_client, quiz)
    wrong_topic_2 = [d.position for d in attempt.drawn.filter(topic__slug="topic-2")][:3]
    answer_all(attempt, right=True, skip=wrong_topic_2)
    alice_client.post(reverse("quizzes:submit", args=[attempt.pk]), {"confirm": "yes"})
    page = alice_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert "Not passed — 88%" in page
    assert "Topic 2: 40% is below the topic floor of 60%." in page


def test_the_quiz_list_shows_each_quizs_state(alice_client, alice, quiz_factory):
    done = quiz_factory(slug="done", max_attempts=3)
    running = quiz_factory(slug="running", time_limit_minutes=30)
    quiz_factory(slug="fresh")
    attempt = start_attempt(quiz=done, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True)
    submit_attempt(attempt=attempt, now=timezone.now())
    start_attempt(quiz=running, trainee=alice, now=timezone.now())
    page = alice_client.get(reverse("quizzes:quiz_list")).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Quiz done Status Passed Best score 100% Attempts left 2" in text
    assert re.search(r"Quiz running Status In progress \(29:5\d left\)", text)
    assert "Quiz fresh Status Not started Best score — Attempts left Unlimited" in text


def test_history_lists_attempts_best_scores_and_offers_missed_practice(alice_client, alice, quiz):
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True, skip=(1, 2))
    submit_attempt(attempt=attempt, now=timezone.now())
    page = alice_client.get(reverse("quizzes:history")).content.decode()
    assert "Quiz quiz: <strong>80%</strong> (passed)" in page
    assert "2 questions you last got wrong" in page
    assert '<svg class="history-chart"' in page
    response = alice_client.post(reverse("quizzes:practice_missed"))
    practice = Attempt.objects.get(is_missed_practice=True)
    assert response.url == reverse("quizzes:question", args=[practice.pk, 1])
    assert practice.question_count == 2


# --- No answer key before submission ---------------------------------------------------------


def test_no_page_of_an_unsubmitted_attempt_reveals_the_right_choices(alice_client, quiz):
    attempt, _ = start_via_post(alice_client, quiz)
    answer_all(attempt, right=True, skip=(4,))
    pages = [
        reverse("quizzes:quiz_list"),
        reverse("quizzes:quiz_detail", args=[quiz.slug]),
        reverse("quizzes:review", args=[attempt.pk]),
        reverse("quizzes:history"),
    ] + [reverse("quizzes:question", args=[attempt.pk, p]) for p in range(1, 11)]
    for url in pages:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not re.search(r"correct|right answer|is_right|Because|Feedback", html, re.I), url
        # Each choice is posted as its place on the page, 1 to n: nothing else to read.
        places = re.findall(r'name="choice" value="([^"]*)"', html)
        assert places == [str(n) for n in range(1, len(places) + 1)], url
        inputs = re.findall(r"<input[^>]*name=\"choice\"[^>]*>", html)
        shapes = {re.sub(r'\s(value|id)="[^"]*"|\schecked', "", tag) for tag in inputs}
        assert len(shapes) <= 1, f"choices differ in markup on {url}: {shapes}"
    # The result page is not served before submission: it sends the trainee to review.
    response = alice_client.get(reverse("quizzes:result", args=[attempt.pk]))
    assert response.url == reverse("quizzes:review", args=[attempt.pk])


# --- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("per_topic", [5, 50])
def test_page_queries_do_not_grow_with_the_number_of_questions(
    alice_client, alice, quiz_factory, django_assert_max_num_queries, per_topic
):
    quiz = quiz_factory(slug=f"q{per_topic}", topics=2, per_topic=per_topic)  # 10 or 100
    for extra in range(3):
        quiz_factory(slug=f"other{extra}-{per_topic}", topics=1, per_topic=2)
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True, skip=(2,))
    question_url = reverse("quizzes:question", args=[attempt.pk, 2])

    # session, user, quizzes, attempt stats, open attempts
    with django_assert_max_num_queries(5):
        alice_client.get(reverse("quizzes:quiz_list"))
    # session, user, attempt, no certification open (a practice attempt), drawn question,
    # navigator
    with django_assert_max_num_queries(6):
        alice_client.get(question_url)
    # session, user, attempt, no certification open; savepoint, locked attempt, drawn
    # question, update, release; resume position
    with django_assert_max_num_queries(10):
        alice_client.post(question_url, {"choice": "1", "go": "next"})
    # session, user, attempt, no certification open, navigator
    with django_assert_max_num_queries(5):
        alice_client.get(reverse("quizzes:review", args=[attempt.pk]))
    submit_attempt(attempt=attempt, now=timezone.now())
    # session, user, attempt, no certification open, the drawn questions' marks (the topic
    # scores are summed from them), the drawn questions shown; none to learn whether the quiz
    # was passed: this attempt passed it
    with django_assert_max_num_queries(6):
        alice_client.get(reverse("quizzes:result", args=[attempt.pk]))
    # session, user, attempts, missed questions
    with django_assert_max_num_queries(4):
        alice_client.get(reverse("quizzes:history"))


def test_saving_moves_through_save_response(alice_client, alice, quiz):
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    save_response(attempt=attempt, position=1, values=["1"], now=timezone.now())
    assert attempt.drawn.get(position=1).answered_at is not None


def test_history_without_attempts_invites_a_first_quiz(alice_client, quiz):
    page = alice_client.get(reverse("quizzes:history")).content.decode()
    assert "Take a quiz first" in page
    assert "Nothing to practice" not in page


def test_a_wrong_pick_is_marked_wrong_on_the_result(alice_client, alice, quiz):
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    answer_all(attempt, right=False)
    submit_attempt(attempt=attempt, now=timezone.now())
    page = alice_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert page.count("your answer: wrong") == 10
    assert "Try this quiz again" in page
    assert "Practice what I missed" in page
