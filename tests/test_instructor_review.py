"""Instructors read an attempt question by question; nobody else can."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import save_response, start_attempt, submit_attempt


@pytest.fixture
def attempt(quiz_factory, alice):
    taken = start_attempt(
        quiz=quiz_factory(topics=1, per_topic=3), trainee=alice, now=timezone.now()
    )
    first = taken.drawn.get(position=1)
    wrong = next(i for i in range(len(first.choices)) if not first.is_correct_choice(i))
    save_response(
        attempt=taken,
        position=1,
        values=[str(first.display_order.index(wrong) + 1)],
        now=timezone.now(),
    )
    return submit_attempt(attempt=taken, now=timezone.now())


def test_an_instructor_sees_what_was_shown_picked_and_right(instructor_client, attempt):
    response = instructor_client.get(reverse("insight:attempt", args=[attempt.pk]))
    assert response.status_code == 200
    first = response.context["questions"][0]
    assert [c["picked"] for c in first["choices"]].count(True) == 1
    assert not any(c["picked"] and c["right"] for c in first["choices"])
    html = response.content.decode()
    assert "Credit: 0 of 1." in html
    assert "Prompt 1.1?" in html


def test_the_attempt_page_is_linked_from_the_gradebook_trainee_page_and_admin(
    instructor_client, attempt
):
    url = reverse("insight:attempt", args=[attempt.pk])
    for page in (
        reverse("insight:gradebook"),
        reverse("insight:trainee", args=[attempt.trainee_id]),
        reverse("admin:quizzes_attempt_changelist"),
    ):
        assert url in instructor_client.get(page).content.decode(), page


def test_trainees_cannot_read_anyones_attempt_this_way(client, alice, attempt):
    client.force_login(alice)
    response = client.get(reverse("insight:attempt", args=[attempt.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_the_page_costs_the_same_for_any_number_of_questions(
    instructor_client, quiz_factory, alice, django_assert_max_num_queries
):
    for size in (3, 30):
        quiz = quiz_factory(slug=f"size{size}", topics=1, per_topic=size)
        taken = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
        submit_attempt(attempt=taken, now=timezone.now())
        # session, user, permissions (2), the attempt with quiz and trainee, drawn questions
        with django_assert_max_num_queries(6):
            instructor_client.get(reverse("insight:attempt", args=[taken.pk]))
