"""The instructor's own home page: this week's activity and what needs a look."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.insight import FEW_ATTEMPTS, instructor_overview
from quizzes.models import AuditLogEntry
from tests.test_insight import sit

# A Wednesday at noon: "this week" started on Monday the 30th.
WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def certification(quiz_factory):
    # Records valid 20 days: every pass is already "expiring within 30 days".
    return quiz_factory(
        slug="cert",
        topics=2,
        per_topic=1,
        kinds=("single",),
        purpose="certification",
        title="Certification",
        validity_days=20,
    )


def test_it_counts_attempts_today_this_week_and_the_pass_rate(certification, make_user):
    people = [make_user(f"p{i}@example.com", f"Person {i}") for i in range(4)]
    sit(certification, people[0], [0, 0], WEDNESDAY - timedelta(hours=1))  # today, passed
    sit(certification, people[1], [1, 1], WEDNESDAY - timedelta(days=1))  # Tuesday, failed
    sit(certification, people[2], [0, 0], WEDNESDAY - timedelta(days=3))  # last Sunday, passed
    sit(certification, people[3], [1, 0], WEDNESDAY - timedelta(days=40))  # too old to count
    overview = instructor_overview(WEDNESDAY)
    assert (overview.attempts_today, overview.attempts_this_week) == (1, 2)
    assert (overview.certification_passes, overview.certification_attempts) == (2, 3)
    assert overview.pass_rate == 66.7


def test_it_lists_records_expiring_soonest_first(certification, make_user):
    late = make_user("late@example.com", "Late Larkin")
    early = make_user("early@example.com", "Early Eve")
    sit(certification, late, [0, 0], WEDNESDAY - timedelta(days=1))
    sit(certification, early, [0, 0], WEDNESDAY - timedelta(days=5))
    overview = instructor_overview(WEDNESDAY)
    assert overview.expiring_count == 2
    assert [r.holder_name for r in overview.expiring_soonest] == ["Early Eve", "Late Larkin"]


def test_it_flags_questions_only_once_they_have_enough_attempts(certification, make_user):
    for i in range(FEW_ATTEMPTS - 1):
        sit(certification, make_user(f"a{i}@example.com", f"A {i}"), [0, 1])
    (entry,) = instructor_overview(timezone.now()).flags
    assert entry.flagged == []  # the second question is too hard, but 29 attempts say little
    sit(certification, make_user("last@example.com", "Last"), [0, 1])
    (entry,) = instructor_overview(timezone.now()).flags
    assert [(item.key, item.flags) for item in entry.flagged] == [
        ("cert-t1-q1", ["too easy"]),
        ("cert-t2-q1", ["too hard"]),
    ]


def test_the_page_shows_the_figures_and_links_into_the_admin(
    instructor_client, instructor, certification, alice
):
    sit(certification, alice, [0, 0])
    AuditLogEntry.objects.create(
        actor=instructor,
        action="quizzes.bank.imported",
        object_repr="aftercare.gift",
        data={"questions_created": 12},
    )
    response = instructor_client.get(reverse("insight:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "100.0%" in html and "1 of 1 attempt passed" in html
    assert "1 record expires within 30 days." in html
    assert "Alice Adams" in html
    assert "aftercare.gift" in html and "by Ines Instructor" in html and "12 new questions" in html
    assert "flagged only once it has 30 attempts" in html
    for url in [
        reverse("insight:gradebook"),
        reverse("insight:cohort"),
        reverse("insight:item_analysis", args=[certification.pk]),
        reverse("admin:quizzes_completionrecord_changelist") + "?status=expiring",
        reverse("admin:quizzes_question_import"),
        reverse("admin:quizzes_question_changelist"),
    ]:
        assert f'href="{url}"' in html


def test_an_instructor_lands_on_it_after_logging_in(client, instructor):
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("login"), {"username": instructor.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("insight:home")
    assert client.get(reverse("home")).url == reverse("insight:home")


def test_a_trainee_keeps_the_trainee_home_and_cannot_open_it(alice_client):
    assert alice_client.get(reverse("home")).status_code == 200
    response = alice_client.get(reverse("insight:home"))
    assert response.status_code == 302 and reverse("admin:login") in response.url


@pytest.mark.parametrize("size", [2, 20])
def test_its_queries_do_not_grow_with_the_cohort(
    instructor_client, certification, make_user, django_assert_max_num_queries, size
):
    for i in range(size):
        person = make_user(f"s{size}-{i}@example.com", f"S {i}")
        sit(certification, person, [0, 0])
    AuditLogEntry.objects.create(action="quizzes.bank.imported", object_repr="bank.json")
    # session, user, permissions (2), attempt counts, certification quizzes, item analysis of
    # the one quiz (6), expiring count and list, last import
    with django_assert_max_num_queries(15):
        response = instructor_client.get(reverse("insight:home"))
    assert f"{size} records expire within 30 days." in response.content.decode()


def test_days_follow_the_site_time_zone(settings, certification, alice):
    sit(certification, alice, [0, 0], WEDNESDAY - timedelta(minutes=90))  # 10:30 UTC
    assert instructor_overview(WEDNESDAY).attempts_today == 1
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+13: the attempt was yesterday, 23:30 there
    assert instructor_overview(WEDNESDAY).attempts_today == 0
