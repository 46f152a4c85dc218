"""The question page, rendered by Jinja2 (smptraining/jinja2.py), wears the site's own chrome.

Its layout (templates/jinja2/base.html) mirrors Django's templates/base.html: a change to one
that is not made to the other fails here.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from quizzes.attempts import start_attempt, submit_attempt
from tests.test_translations import pseudo_locale  # noqa: F401 (a fixture)


def chrome(html: str) -> dict[str, str]:
    """The parts every page shares, whitespace and CSRF tokens aside."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "<token>", html)
    html = re.sub(r'name="next" value="[^"]+"', "<this page>", html)
    html = re.sub(r"\s+", " ", html)
    parts = {
        "head": re.sub(r"<title>.*?</title>", "", html.split("</head>")[0]),
        "header": html.split("<main")[0].split("</head>")[1],
        "footer": html.split("</main>")[1],
        "notice": "".join(
            re.findall(r'<div class="alert alert-warning verify-notice">.*?</div>', html)
        ),
        "countdown": "".join(re.findall(r'<div class="countdown .*?</p>', html)),
    }
    return {name: re.sub(r"> <", "><", part).strip() for name, part in parts.items()}


@pytest.fixture
def pages(client, quiz_factory):
    """The question page and the review page (Django's templates) of one timed attempt."""
    quiz = quiz_factory(slug="timed", time_limit_minutes=30)

    def for_user(user):
        client.force_login(user)
        attempt = start_attempt(quiz=quiz, trainee=user, now=timezone.now())
        question = client.get(reverse("quizzes:question", args=[attempt.pk, 1]))
        review = client.get(reverse("quizzes:review", args=[attempt.pk]))
        assert question.status_code == review.status_code == 200
        return chrome(question.content.decode()), chrome(review.content.decode())

    return for_user


def test_a_trainees_question_page_has_the_chrome_of_every_other_page(pages, alice):
    question, review = pages(alice)
    assert question == review
    assert "Alice Adams" in question["header"] and question["countdown"]


def test_an_instructors_and_an_unconfirmed_trainees_chrome_match_too(pages, instructor, make_user):
    question, review = pages(instructor)
    assert question == review and reverse("insight:home") in question["header"]
    unconfirmed = make_user("una@example.com", "Una <Unconfirmed>", email_verified_at=None)
    question, review = pages(unconfirmed)
    assert question == review and "una@example.com" in question["notice"]
    assert question["notice"].count("<this page>") == 1
    assert escape("Una <Unconfirmed>") in question["header"]


def test_the_question_page_shows_a_message_left_for_it(alice_client, alice, quiz_factory):
    quiz = quiz_factory(slug="certification", purpose="certification")
    attempt = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    url = reverse("quizzes:question", args=[attempt.pk, 1])
    response = alice_client.post(url, {"go": "check", "choice": "1"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    html = re.sub(r"\s+", " ", response.content.decode())
    assert (
        '<div class="messages" role="status"> <div class="alert alert-danger">'
        "Answers are checked only in practice quizzes.</div> </div>"
    ) in html


def test_words_from_the_bank_are_escaped_where_the_page_fills_them_in(
    alice_client, alice, quiz_factory
):
    attempt = start_attempt(quiz=quiz_factory(), trainee=alice, now=timezone.now())
    attempt.drawn.filter(position=1).update(topic_name="Needles & <b>sharps</b>")
    response = alice_client.get(reverse("quizzes:question", args=[attempt.pk, 1]))
    assert "Topic: Needles &amp; &lt;b&gt;sharps&lt;/b&gt;." in response.content.decode()


def test_a_message_with_a_link_keeps_its_link(alice_client, alice, quiz_factory):
    practice = start_attempt(quiz=quiz_factory(slug="practice"), trainee=alice, now=timezone.now())
    quiz = quiz_factory(slug="certification", purpose="certification")
    certification = start_attempt(quiz=quiz, trainee=alice, now=timezone.now())
    response = alice_client.get(reverse("quizzes:question", args=[practice.pk, 1]), follow=True)
    resume = reverse("quizzes:resume", args=[certification.pk])
    html = response.content.decode()
    assert f'<a class="alert-link" href="{resume}">Back to your certification</a>' in html


def test_a_questions_picture_is_shown_with_its_description(alice_client, alice, quiz_factory):
    attempt = start_attempt(quiz=quiz_factory(), trainee=alice, now=timezone.now())
    attempt.drawn.filter(position=1).update(
        image="questions/sharps.png", image_alt='A sharps box, "full" line marked'
    )
    response = alice_client.get(reverse("quizzes:question", args=[attempt.pk, 1]))
    assert (
        '<img src="/media/questions/sharps.png" alt="A sharps box, &#34;full&#34; line marked"'
    ) in response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_verify_page_has_the_chrome_of_every_other_page(client, record, alice, signed_in):
    if signed_in:
        client.force_login(alice)
    verify = client.get(reverse("quizzes:verify", args=[record.verification_code]))
    form = client.get(reverse("quizzes:verify_form"))
    assert verify.status_code == form.status_code == 200
    assert chrome(verify.content.decode()) == chrome(form.content.decode())
    assert ("Alice Adams" in chrome(verify.content.decode())["header"]) == signed_in
    # A visitor's page has no form, so it sets no CSRF cookie (as Django's templates did not).
    assert ("csrftoken" in verify.cookies) == ("csrftoken" in form.cookies) == signed_in


def test_a_kept_link_is_made_again_for_another_url_configuration(settings):
    from django.urls import NoReverseMatch

    from smptraining.links import cached_reverse

    assert cached_reverse("quizzes:quiz_list") == reverse("quizzes:quiz_list")
    settings.ROOT_URLCONF = "django.contrib.auth.urls"
    with pytest.raises(NoReverseMatch):
        cached_reverse("quizzes:quiz_list")


@pytest.mark.usefixtures("pseudo_locale")
def test_each_language_reads_its_own_words_however_requests_alternate(alice_client, alice):
    """A language's words are compiled into its own copy of each template."""
    url = reverse("quizzes:quiz_list")
    with translation.override("en"):
        english = alice_client.get(url).content.decode()
    pseudo = alice_client.get(url).content.decode()
    with translation.override("en"):
        again = alice_client.get(url).content.decode()
    assert "⟪Log out⟫" in pseudo and "⟪Skip to main content⟫" in pseudo
    assert "⟪" not in english and ">Log out<" in english
    assert chrome(again) == chrome(english)


@pytest.mark.usefixtures("pseudo_locale")
def test_a_message_held_in_a_variable_is_translated_as_the_page_renders():
    template = engines["jinja2"].from_string("{{ _(word) }} · {{ _('Log out') }}")
    assert template.render({"word": "History"}) == "⟪History⟫ · ⟪Log out⟫"


def test_a_time_prints_in_the_time_zone_each_page_is_shown_in(alice_client, alice, quiz_factory):
    quiz = quiz_factory(slug="practice")
    started = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    attempt = start_attempt(quiz=quiz, trainee=alice, now=started)
    submit_attempt(attempt=attempt, now=started + timedelta(minutes=30))
    url = reverse("quizzes:result", args=[attempt.pk])
    in_utc = alice_client.get(url).content.decode()
    with timezone.override(ZoneInfo("Pacific/Auckland")):  # UTC+13 that day
        in_auckland = alice_client.get(url).content.decode()
    assert "Submitted 1 March 2026, 23:30." in in_utc
    assert "Submitted 2 March 2026, 12:30." in in_auckland
    assert "Submitted 1 March 2026, 23:30." in alice_client.get(url).content.decode()
