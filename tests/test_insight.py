import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import save_response, start_attempt, submit_attempt
from quizzes.insight import FEW_ATTEMPTS, ItemFigures, item_analysis


def sit(quiz, trainee, answers, now=None):
    """answers: the choice index given to each question in order (0 is the right one)."""
    now = now or timezone.now()
    attempt = start_attempt(quiz=quiz, trainee=trainee, now=now)
    for position, index in enumerate(answers, start=1):
        if index is not None:
            # Choices are not shuffled here: the place on the page is the index plus one.
            save_response(attempt=attempt, position=position, values=[str(index + 1)], now=now)
    return submit_attempt(attempt=attempt, now=now)


@pytest.fixture
def four(make_user):
    return [make_user(f"t{i}@example.com", f"Trainee {i}") for i in range(1, 5)]


def test_item_statistics_on_a_hand_computed_example(quiz_factory, four):
    quiz = quiz_factory(topics=1, per_topic=2, kinds=("single",))
    # Choices in order: 0 right, 1 "Wrong a", 2 "Wrong b".
    answers = [(0, 0), (0, 1), (1, 0), (2, 1)]
    scores = [sit(quiz, t, a).score for t, a in zip(four, answers, strict=True)]
    assert scores == [100, 50, 50, 0]
    analysis = item_analysis(quiz)
    assert (analysis.attempts, analysis.group_size) == (4, 2)  # ceil(27% of 4)
    q1, q2 = analysis.items
    # Upper group: attempts 1 (100) and 3 (50); lower: attempts 4 (0) and 2 (50).
    assert (q1.attempts, q1.facility, q1.discrimination) == (4, 50.0, 0.0)
    assert (q2.attempts, q2.facility, q2.discrimination) == (4, 50.0, 1.0)
    assert [(c.text, c.share) for c in q1.wrong_choices] == [
        ("Wrong 1.1 a", 25.0),
        ("Wrong 1.1 b", 25.0),
    ]
    assert [(c.text, c.share) for c in q2.wrong_choices] == [
        ("Wrong 1.2 a", 50.0),
        ("Wrong 1.2 b", 0.0),
    ]
    assert q1.flags == [] and q1.few_attempts


def test_a_question_the_strong_miss_and_the_weak_get_discriminates_negatively(quiz_factory, four):
    quiz = quiz_factory(topics=1, per_topic=3, kinds=("single",))
    for trainee, answers in zip(four, [(1, 0, 0), (1, 0, 0), (0, 1, 1), (0, 1, 1)], strict=True):
        sit(quiz, trainee, answers)
    first = item_analysis(quiz).items[0]
    assert first.discrimination == -1.0
    assert first.flags == []  # four attempts are too few to flag anything
    first.attempts = FEW_ATTEMPTS
    assert "discriminates negatively" in first.flags


@pytest.mark.parametrize(
    ("facility", "flags"),
    [(96.0, ["too easy"]), (95.0, []), (19.9, ["too hard"]), (20.0, [])],
)
def test_flags_for_too_easy_and_too_hard(facility, flags):
    item = ItemFigures(1, "k", "p", "t", attempts=40, facility=facility, discrimination=0.2)
    assert item.flags == flags
    assert not item.few_attempts


def test_statistics_follow_a_question_across_an_edit(quiz_factory, four):
    quiz = quiz_factory(topics=1, per_topic=1, kinds=("single",))
    sit(quiz, four[0], [1])
    question = quiz.draw_rules.get().topic.questions.get()
    question.choices.filter(text__endswith="a").update(text="Reworded wrong choice")
    sit(quiz, four[1], [1])
    item = item_analysis(quiz).items[0]
    assert item.attempts == 2 and item.facility == 0.0
    assert item.version_attempts == 1  # choice picks: the newest version only
    assert item.wrong_choices[0].text == "Reworded wrong choice"


# --- Pages ---------------------------------------------------------------------------------


@pytest.fixture
def cohort(quiz_factory, make_user):
    quiz = quiz_factory(
        slug="cert",
        topics=2,
        per_topic=2,
        kinds=("single",),
        purpose="certification",
        title="Certification",
    )
    people = [make_user(f"p{i}@example.com", f"Person {i:02d}") for i in range(12)]
    now = timezone.now()
    for i, person in enumerate(people):
        answers = [0, 0, 0, 0] if i % 3 == 0 else [0, 1, 1, 0]
        sit(quiz, person, answers, now - timedelta(days=i))
    return quiz, people


def test_insight_pages_are_for_instructors_only(alice_client, cohort, make_user, client):
    quiz, people = cohort
    urls = [
        reverse("insight:gradebook"),
        reverse("insight:cohort"),
        reverse("insight:item_analysis", args=[quiz.pk]),
        reverse("insight:trainee", args=[people[0].pk]),
    ]
    for url in urls:
        response = alice_client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url
    staff = make_user("staff@example.com", "Staff Without Rights", is_staff=True)
    client.force_login(staff)
    for url in urls:
        assert client.get(url).status_code == 403


def rows_text(response):
    return [
        (
            row["trainee__full_name"],
            row["quiz__title"],
            row["best"],
            row["used"],
            row["record_status"],
        )
        for row in response.context["page"].object_list
    ]


def test_the_gradebook_lists_trainees_by_quiz(instructor_client, cohort):
    response = instructor_client.get(reverse("insight:gradebook"))
    rows = rows_text(response)
    assert len(rows) == 12
    assert rows[0] == ("Person 00", "Certification", 100, 1, "Valid")
    assert rows[1] == ("Person 01", "Certification", 50, 1, "—")


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"passed": "yes"}, ["Person 00", "Person 03", "Person 06", "Person 09"]),
        ({"record": "valid"}, ["Person 00", "Person 03", "Person 06", "Person 09"]),
        ({"record": "none", "q": "person 1"}, ["Person 10", "Person 11"]),
        ({"q": "P11@EXAMPLE"}, ["Person 11"]),
        (
            {"sort": "best", "dir": "desc", "passed": "no", "q": "Person 0"},
            ["Person 01", "Person 02", "Person 04", "Person 05", "Person 07", "Person 08"],
        ),
    ],
)
def test_the_gradebook_filters_searches_and_sorts(instructor_client, cohort, params, names):
    response = instructor_client.get(reverse("insight:gradebook"), params)
    assert [row[0] for row in rows_text(response)] == names


def test_the_gradebook_filters_by_date(instructor_client, cohort):
    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    response = instructor_client.get(reverse("insight:gradebook"), {"since": since})
    assert [row[0] for row in rows_text(response)] == ["Person 00", "Person 01", "Person 02"]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"quiz": "999999"},
        {"quiz": "abc"},
        {"page": "99999"},
        {"page": "-3"},
        {"sort": "password"},
        {"passed": "maybe", "record": "shiny", "until": "2026-13-45"},
    ],
)
def test_nonsense_filters_show_the_nearest_sensible_page(instructor_client, cohort, params):
    response = instructor_client.get(reverse("insight:gradebook"), params)
    assert response.status_code == 200
    assert len(rows_text(response)) == 12
    page_only = set(params) == {"page"}
    messages = [str(m) for m in response.context["messages"]]
    assert page_only or any("ignored" in m for m in messages)


def test_a_huge_filter_value_is_not_echoed_in_full(instructor_client, cohort):
    response = instructor_client.get(reverse("insight:gradebook"), {"passed": "x" * 100_000})
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "ignored" in messages[0] and len(messages[0]) < 400


def test_the_gradebook_exports_what_the_filters_show(instructor_client, cohort):
    response = instructor_client.get(
        reverse("insight:gradebook"), {"passed": "yes", "format": "csv"}
    )
    content = b"".join(response.streaming_content).decode()
    assert content.startswith('"name","email","quiz",')  # every cell quoted
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == [
        "name",
        "email",
        "quiz",
        "best score",
        "attempts",
        "last attempt",
        "passed",
        "record status",
    ]
    assert [r[0] for r in rows[1:]] == ["Person 00", "Person 03", "Person 06", "Person 09"]
    assert rows[1][1:5] == ["p0@example.com", "Certification", "100", "1"]
    assert rows[1][6:] == ["yes", "Valid"]


def test_the_trainee_page_shows_attempts_and_topic_mastery(instructor_client, cohort):
    quiz, people = cohort
    response = instructor_client.get(reverse("insight:trainee", args=[people[1].pk]))
    assert [t["percent"] for t in response.context["mastery"]] == [50.0, 50.0]
    assert len(response.context["attempts"]) == 1


def test_the_cohort_view_shows_mastery_per_topic_and_by_month(instructor_client, cohort):
    response = instructor_client.get(reverse("insight:cohort"))
    data = response.context["data"]
    # 4 of 12 trainees answered all right; the others got one of two wrong in each topic.
    assert [t["percent"] for t in data["topics"]] == [66.7, 66.7]
    assert len(data["months"]) >= 1
    assert b"Mastery by topic" in response.content
    unknown = instructor_client.get(reverse("insight:cohort"), {"quiz": "nope"})
    assert unknown.status_code == 200
    assert "not known" in " ".join(str(m) for m in unknown.context["messages"])


@pytest.mark.parametrize("quiz", ["²", "99999999999999999999999999", "-1", "1.5", "\x00"])
def test_an_odd_quiz_id_on_the_cohort_view_shows_every_quiz(instructor_client, cohort, quiz):
    response = instructor_client.get(reverse("insight:cohort"), {"quiz": quiz})
    assert response.status_code == 200
    assert response.context["quiz"] is None
    assert "not known" in " ".join(str(m) for m in response.context["messages"])


def test_the_cohort_view_narrows_to_a_known_quiz(instructor_client, cohort):
    quiz, _people = cohort
    response = instructor_client.get(reverse("insight:cohort"), {"quiz": str(quiz.pk)})
    assert response.context["quiz"] == quiz


def test_an_unknown_quiz_for_item_analysis_is_a_404(instructor_client, db):
    assert instructor_client.get(reverse("insight:item_analysis", args=[424242])).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_insight_queries_do_not_grow_with_the_cohort(
    instructor_client, quiz_factory, make_user, django_assert_max_num_queries, size
):
    quiz = quiz_factory(
        slug=f"c{size}", topics=2, per_topic=2, kinds=("single",), purpose="certification"
    )
    people = [make_user(f"s{size}-{i}@example.com", f"S {i}") for i in range(size)]
    for i, person in enumerate(people):
        sit(quiz, person, [0, i % 2, 0, 0])
    # session, user, permissions (2), count, page of rows, quizzes in the filter form
    with django_assert_max_num_queries(7):
        instructor_client.get(reverse("insight:gradebook"))
    # session, user, permissions (2), quiz, attempt count, group bounds (2), item tallies,
    # responses at the two boundary scores, version samples with their questions, quizzes for
    # the links
    with django_assert_max_num_queries(12):
        instructor_client.get(reverse("insight:item_analysis", args=[quiz.pk]))
    # session, user, permissions (2), topic tallies by month, topic names, quizzes
    with django_assert_max_num_queries(7):
        instructor_client.get(reverse("insight:cohort"))
    # the same, and the quiz asked for
    with django_assert_max_num_queries(8):
        instructor_client.get(reverse("insight:cohort"), {"quiz": quiz.pk})
    # session, user, permissions (2), trainee, attempts, mastery
    with django_assert_max_num_queries(7):
        instructor_client.get(reverse("insight:trainee", args=[people[0].pk]))


def test_the_cohort_trend_follows_the_months(instructor_client, quiz_factory, make_user):
    quiz = quiz_factory(topics=2, per_topic=1, kinds=("single",))
    now = timezone.now()
    sit(quiz, make_user("old@example.com", "Old"), [1, 0], now - timedelta(days=70))
    sit(quiz, make_user("new@example.com", "New"), [0, 0], now)
    response = instructor_client.get(reverse("insight:cohort"))
    months = response.context["data"]["months"]
    assert [m["percents"] for m in months] == [[0.0, 100.0], [100.0, 100.0]]
    assert len(response.context["trend"]["lines"]) == 2
    assert b'<svg class="trend-chart"' in response.content
