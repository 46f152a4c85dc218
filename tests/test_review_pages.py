"""What a trainee's pages show and hide: results by review options, checked practice answers,
the confirmation before submitting unanswered questions, the autosave's answer, overrides."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import save_response, start_attempt, submit_attempt
from quizzes.models import Attempt, AttemptOverride, AuditLogEntry, DrawnQuestion, Question, Quiz
from tests.conftest import answer_all


@pytest.fixture
def certification(quiz_factory):
    quiz = quiz_factory(
        slug="cert",
        purpose="certification",
        topics=2,
        per_topic=4,
        max_attempts=3,
        cooldown_minutes=60,
    )
    Question.objects.filter(key__in=["cert-t1-q1", "cert-t1-q2"]).update(usage="certification")
    return quiz


@pytest.fixture
def practice(quiz_factory, certification):
    return quiz_factory(slug="prac", topics=1, per_topic=3)


def page(client, name, *args):
    return html.unescape(client.get(reverse(name, args=args)).content.decode())


def failed_certification(alice):
    attempt = start_attempt(quiz=Quiz.objects.get(slug="cert"), trainee=alice, now=timezone.now())
    answer_all(attempt, right=False)
    return submit_attempt(attempt=attempt, now=timezone.now())


# --- Results by the review options -------------------------------------------------------------


def test_a_failed_certification_shows_scores_and_study_links_but_no_key(
    alice_client, alice, certification, practice
):
    attempt = failed_certification(alice)
    text = page(alice_client, "quizzes:result", attempt.pk)
    assert "Not passed — 0%" in text
    assert "Topic 1</th>" in text  # topic scores
    assert reverse("quizzes:topic_detail", args=["topic-1"]) in text
    assert reverse("quizzes:quiz_detail", args=["prac"]) in text  # practice of a missed topic
    assert "2 attempts left." in text
    assert "The next may start at" in text
    for drawn in attempt.drawn.all():
        assert drawn.explanation not in text
        for index, choice in enumerate(drawn.choices):
            if drawn.is_correct_choice(index) and not choice["text"].startswith("Wrong"):
                assert f'{choice["text"]} <span class="badge text-bg-success">' not in text
    assert "right answer" not in text


def test_an_instructor_can_show_more_once_the_quiz_has_closed(alice_client, alice, certification):
    certification.review_options = {
        "after_close": ["score", "correctness", "right_answers", "explanations"]
    }
    certification.max_attempts = 1
    certification.save()
    attempt = failed_certification(alice)
    text = page(alice_client, "quizzes:result", attempt.pk)
    assert "right answer" in text
    # ... but never the key of a certification-only question
    for drawn in attempt.drawn.filter(secure=True):
        assert drawn.explanation not in text
    shown = [d for d in attempt.drawn.filter(secure=False)]
    assert shown and all(d.explanation in text for d in shown)


def test_the_admin_sets_review_options_per_moment(instructor_client, certification):
    url = reverse("admin:quizzes_quiz_change", args=[certification.pk])
    form = instructor_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "review_defaults": False,
            "review_after_attempt": ["score"],
            "review_after_pass": ["score", "explanations"],
            "review_after_close": [],
            "fixed_questions": [],
            "draw_rules-TOTAL_FORMS": "0",
            "draw_rules-INITIAL_FORMS": "0",
        }
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = instructor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    certification.refresh_from_db()
    assert certification.review_items("after_pass") == {"score", "explanations"}
    assert certification.review_items("after_close") == set()


def test_practice_results_teach_rather_than_fail(alice_client, alice, practice):
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True, skip=(1,))
    submit_attempt(attempt=attempt, now=timezone.now())
    text = page(alice_client, "quizzes:result", attempt.pk)
    assert "2 of 3 right" in text
    assert "Not passed" not in text
    assert all(d.explanation in text for d in attempt.drawn.all())


# --- Practice that checks each answer ------------------------------------------------------


def test_check_marks_the_answer_explains_it_and_locks_it(alice_client, alice, practice):
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    drawn = attempt.drawn.get(position=1)
    wrong = next(i for i in range(len(drawn.choices)) if not drawn.is_correct_choice(i))
    url = reverse("quizzes:question", args=[attempt.pk, 1])
    place = str(drawn.display_order.index(wrong) + 1)
    alice_client.post(url, {"choice": [place], "go": "check"})
    text = page(alice_client, "quizzes:question", attempt.pk, 1)
    assert "Not right." in text and drawn.explanation in text
    assert 'name="go" value="check"' not in text
    assert text.count("disabled") >= len(drawn.choices)
    right = str(
        drawn.display_order.index(
            next(i for i in range(len(drawn.choices)) if drawn.is_correct_choice(i))
        )
        + 1
    )
    response = alice_client.post(url, {"choice": [right], "go": "next"}, follow=True)
    assert "can no longer change" in response.content.decode()
    assert DrawnQuestion.objects.get(pk=drawn.pk).selected == 1 << wrong


def test_the_certification_page_has_no_check_button(alice_client, alice, certification):
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    assert 'value="check"' not in page(alice_client, "quizzes:question", attempt.pk, 1)
    drawn = attempt.drawn.get(position=1)
    url = reverse("quizzes:question", args=[attempt.pk, 1])
    alice_client.post(url, {"choice": ["1"], "go": "check"})
    assert DrawnQuestion.objects.get(pk=drawn.pk).checked_at is None


def test_practice_during_an_open_certification_says_so_with_a_link_back(
    alice_client, alice, certification, practice
):
    exam = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    response = alice_client.post(reverse("quizzes:start", args=["prac"]), follow=True)
    text = response.content.decode()
    assert "Finish your certification attempt first" in text
    assert reverse("quizzes:resume", args=[exam.pk]) in text
    assert not Attempt.objects.filter(quiz=practice).exists()


def test_during_a_certification_no_practice_page_shows_its_items(
    alice_client, alice, certification, practice
):
    done = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    answer_all(done, right=False)
    submit_attempt(attempt=done, now=timezone.now())
    halfway = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    exam = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    text = page(alice_client, "quizzes:result", done.pk)
    assert "stay hidden while your certification attempt is in progress" in text
    assert "right answer" not in text
    assert not any(d.explanation in text for d in done.drawn.all())
    for name, args in [
        ("quizzes:question", (halfway.pk, 1)),
        ("quizzes:review", (halfway.pk,)),
    ]:
        response = alice_client.get(reverse(name, args=args))
        assert response.url == reverse("quizzes:question", args=[exam.pk, 1])


# --- Submitting and autosaving -------------------------------------------------------------


def test_submitting_with_unanswered_questions_asks_first_naming_how_many(
    alice_client, alice, practice
):
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True, skip=(2, 3))
    url = reverse("quizzes:submit", args=[attempt.pk])
    text = html.unescape(alice_client.post(url).content.decode())
    assert "Submit with 2 questions unanswered?" in text
    attempt.refresh_from_db()
    assert not attempt.is_submitted
    assert alice_client.post(url, {"confirm": "yes"}).status_code == 302
    attempt.refresh_from_db()
    assert attempt.is_submitted


def test_the_autosave_answers_with_a_status_not_a_redirect(client, alice, practice):
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    url = reverse("quizzes:question", args=[attempt.pk, 1])
    json_headers = {"Accept": "application/json"}
    client.force_login(alice)
    saved = client.post(url, {"choice": ["1"], "go": "stay"}, headers=json_headers)
    assert saved.status_code == 200
    assert saved.json() == {"saved": True, "answered": 1}
    refused = client.post(url, {"choice": ["9"], "go": "stay"}, headers=json_headers)
    assert refused.status_code == 409 and refused.json()["saved"] is False
    client.logout()
    # Signed out: the login redirect is not a 200 the script could take for "saved".
    assert (
        client.post(url, {"choice": ["2"], "go": "stay"}, headers=json_headers).status_code == 302
    )


# --- Overrides --------------------------------------------------------------------------------


def test_an_override_in_the_admin_takes_effect_at_once(
    alice_client, alice, instructor, certification, client
):
    for _ in range(3):
        attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
        submit_attempt(attempt=attempt, now=timezone.now())
        AttemptOverride.objects.update_or_create(
            trainee=alice,
            quiz=certification,
            defaults={"cooldown_lifted_at": timezone.now(), "reason": "test setup"},
        )
    assert "used all 3 attempts" in page(alice_client, "quizzes:quiz_detail", "cert")
    client.force_login(instructor)
    url = reverse("admin:quizzes_attemptoverride_change", args=[AttemptOverride.objects.get().pk])
    response = client.post(
        url,
        {
            "extra_minutes": "0",
            "extra_attempts": "1",
            "lift_cooldown": "on",
            "reason": "Internet failed during attempt 3",
        },
    )
    assert response.status_code == 302
    client.force_login(alice)
    text = page(client, "quizzes:quiz_detail", "cert")
    assert 'value="Start"' in text or ">Start<" in text
    entry = AuditLogEntry.objects.get(action="quizzes.override.set")
    assert entry.actor == instructor and entry.data["extra_attempts"] == 1


def test_trainees_cannot_reach_overrides(alice_client, certification):
    response = alice_client.get(reverse("admin:quizzes_attemptoverride_changelist"))
    assert response.status_code == 302


# --- Sources and illustrations -----------------------------------------------------------------


def test_the_sources_page_names_the_three_documents(client, db):
    text = page(client, "quizzes:sources")
    for title in (
        "Is scalp micropigmentation safe?",
        "Infection-control notes",
        "Client-health notes",
    ):
        assert title in text
    assert "Log in to read the study notes" in text  # a visitor's link leads to the login page


def test_a_trainee_goes_back_from_the_sources_to_the_study_notes(alice_client):
    assert "Back to the study notes" in page(alice_client, "quizzes:sources")


def test_a_critical_question_says_so_before_it_is_answered(alice_client, alice, practice):
    Question.objects.update(critical=True)
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    text = page(alice_client, "quizzes:question", attempt.pk, 1)
    assert "A wrong answer to this question fails the attempt" in text
    assert "Critical questions:" in page(alice_client, "quizzes:quiz_detail", "prac")


def test_a_wrong_critical_answer_fails_whatever_the_score(alice_client, alice, certification):
    Question.objects.filter(key="cert-t2-q1").update(critical=True)
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True)
    critical = attempt.drawn.get(question__key="cert-t2-q1")
    wrong = next(i for i in range(len(critical.choices)) if not critical.is_correct_choice(i))
    save_response(
        attempt=attempt,
        position=critical.position,
        values=[str(critical.display_order.index(wrong) + 1)],
        now=timezone.now(),
    )
    graded = submit_attempt(attempt=attempt, now=timezone.now())
    assert graded.score >= 80 and not graded.passed
    text = page(alice_client, "quizzes:result", attempt.pk)
    # Right and wrong are not shown in this certification, so the question is not named.
    assert "1 critical question was not answered right" in text
    assert f"Question {critical.position} is a critical" not in text


def test_a_new_certification_made_in_the_admin_shows_no_answers(instructor_client, db):
    add = reverse("admin:quizzes_quiz_add")
    form = instructor_client.get(add).context["adminform"].form
    assert form["review_defaults"].value() is True
    response = instructor_client.post(
        add,
        {
            "title": "Refresher exam",
            "slug": "refresher",
            "purpose": "certification",
            "pass_mark": "80",
            "topic_floor": "0",
            "validity_days": "365",
            "cooldown_minutes": "0",
            "order": "0",
            "shuffle_questions": "on",
            "shuffle_choices": "on",
            "review_defaults": "on",
            # what the boxes showed for a new quiz: every item, at every moment
            "review_after_attempt": ["score", "topic_scores", "right_answers", "explanations"],
            "draw_rules-TOTAL_FORMS": "0",
            "draw_rules-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="refresher")
    assert quiz.review_items("after_attempt") == {"score", "topic_scores"}


def test_an_earlier_result_hides_answers_while_the_last_attempt_is_open(
    alice_client, alice, certification
):
    certification.review_options = {"after_close": ["score", "right_answers", "explanations"]}
    certification.max_attempts = 2
    certification.cooldown_minutes = 0
    certification.save()
    first = failed_certification(alice)
    start_attempt(quiz=certification, trainee=alice, now=timezone.now())  # the last attempt
    text = page(alice_client, "quizzes:result", first.pk)
    assert "right answer" not in text
    assert not any(d.explanation in text for d in first.drawn.all())


def test_a_copy_of_a_secure_question_stays_secure(instructor_client, certification):
    original = Question.objects.get(key="cert-t1-q1")
    url = reverse("admin:quizzes_question_changelist")
    instructor_client.post(url, {"action": "duplicate", "_selected_action": [original.pk]})
    copy = Question.objects.get(key="cert-t1-q1-copy")
    assert (copy.usage, copy.critical, copy.active) == ("certification", original.critical, False)


def test_the_media_view_serves_illustrations_only(client, db):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.save("imports/bank.json", ContentFile(b"{}"))
    assert client.get("/media/imports/bank.json").status_code == 404
    assert client.head("/media/illustrations/missing.svg").status_code == 404


def test_the_academy_logo_is_public_and_a_signature_only_for_superusers(client, make_user, db):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    logo = default_storage.save(f"academy/{'a' * 32}.png", ContentFile(b"logo"))
    signature = default_storage.save(f"signatures/{'b' * 32}.png", ContentFile(b"signature"))
    assert client.get(f"/media/{logo}").status_code == 200
    assert client.get(f"/media/{signature}").status_code == 404

    client.force_login(make_user("trainee@example.com", "Tia Trainee"))
    assert client.get(f"/media/{signature}").status_code == 404

    client.force_login(make_user("root@example.com", "Ray Root", is_superuser=True, is_staff=True))
    response = client.get(f"/media/{signature}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_passed_certification_says_nothing_of_a_next_attempt(alice_client, alice, certification):
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True)
    submit_attempt(attempt=attempt, now=timezone.now())
    text = page(alice_client, "quizzes:result", attempt.pk)
    assert "Passed" in text
    assert "attempts left" not in text and "The next may start" not in text
    detail = page(alice_client, "quizzes:quiz_detail", certification.slug)
    assert "you can start again in" in detail and "study first" not in detail


def test_history_with_only_an_unsubmitted_attempt_does_not_claim_all_right(
    alice_client, alice, practice
):
    attempt = start_attempt(quiz=practice, trainee=alice, now=timezone.now())
    answer_all(attempt, right=False)
    text = page(alice_client, "quizzes:history")
    assert "you got every question you met right" not in text
    assert "once you submit an attempt" in text
