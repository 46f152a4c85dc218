"""The trainee's history: a line per quiz over the dates, the pass mark, and what to practice."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import missed_questions, start_attempt, submit_attempt
from quizzes.charts import score_chart
from quizzes.models import Attempt, Question
from tests.conftest import answer_all


@pytest.fixture
def quizzes(quiz_factory):
    certification = quiz_factory(
        slug="cert", title="Certification", purpose="certification", topics=1, per_topic=4
    )
    practice = quiz_factory(slug="hygiene", title="Hygiene practice", topics=1, per_topic=4)
    return certification, practice


def take(quiz, trainee, when, *, skip=()):
    attempt = start_attempt(quiz=quiz, trainee=trainee, now=when)
    answer_all(attempt, skip=skip)
    return submit_attempt(attempt=attempt, now=when + timedelta(minutes=10))


def test_each_quiz_gets_its_own_line_over_the_dates(quizzes, alice):
    certification, practice = quizzes
    start = timezone.now() - timedelta(days=10)
    take(practice, alice, start, skip=(1, 2))  # 50%
    take(certification, alice, start + timedelta(days=2), skip=(1,))  # 75%
    take(practice, alice, start + timedelta(days=5))  # 100%
    take(certification, alice, start + timedelta(days=9))  # 100%
    chart = score_chart(
        list(Attempt.objects.select_related("quiz")), width=760, height=280, ticks=5
    )
    assert [(s.title, s.certification) for s in chart.series] == [
        ("Certification", True),
        ("Hygiene practice", False),
    ]
    cert_line, practice_line = chart.series
    assert [p.attempt.score for p in cert_line.points] == [75, 100]
    assert [p.attempt.score for p in practice_line.points] == [50, 100]
    # Time runs left to right: the first attempt at the left edge, the last at the right.
    assert practice_line.points[0].x == chart.left and cert_line.points[-1].x == chart.right
    assert practice_line.points[0].x < cert_line.points[0].x < practice_line.points[1].x
    # Higher scores are drawn higher up (smaller y); the pass mark sits at 80%.
    assert cert_line.points[1].y == chart.top
    assert [(m.percent, m.y) for m in chart.pass_marks] == [
        (80, chart.bottom - 0.8 * (chart.bottom - chart.top))
    ]
    assert [t.anchor for t in chart.ticks] == ["start", "middle", "middle", "middle", "end"]
    assert chart.date_format == "j M" or chart.date_format == "j M Y"  # ten days apart


def test_the_page_draws_the_chart_twice_with_a_legend_and_the_table_links_each_result(
    alice_client, alice, quizzes
):
    certification, practice = quizzes
    first = take(practice, alice, timezone.now() - timedelta(days=3), skip=(1, 2))
    second = take(certification, alice, timezone.now() - timedelta(days=1))
    html = alice_client.get(reverse("quizzes:history")).content.decode()
    # A drawing for phones and one for wider screens, each titled and described.
    assert html.count('<svg class="history-chart"') == 2
    assert 'aria-labelledby="phone-chart-title phone-chart-desc"' in html
    assert 'aria-labelledby="wide-chart-title wide-chart-desc"' in html
    desc = re.search(r'<desc id="wide-chart-desc">(.*?)</desc>', html, re.S)[1]
    assert "Certification: 100%." in desc and "Hygiene practice: 50%." in desc
    assert "Pass mark 80%." in desc
    assert html.count('class="chart-pass-mark"') == 3  # two drawings and the legend
    legend = re.search(r'<ul class="history-legend".*?</ul>', html, re.S)[0]
    assert "Certification" in legend and "Hygiene practice" in legend and "Pass mark" in legend
    # The dates of the attempts label the axis (the wide drawing has five ticks).
    assert first.submitted_at.strftime("%-d %b") in html
    assert second.submitted_at.strftime("%-d %b") in html
    for attempt in (first, second):
        assert f'href="{reverse("quizzes:result", args=[attempt.pk])}"' in html


def test_one_attempt_is_a_point_in_the_middle(alice_client, alice, quizzes):
    certification, _practice = quizzes
    take(certification, alice, timezone.now())
    chart = score_chart(
        list(Attempt.objects.select_related("quiz")), width=340, height=230, ticks=3
    )
    (point,) = chart.series[0].points
    assert point.x == (chart.left + chart.right) / 2
    assert len(chart.ticks) == 1 and chart.date_format == "j M, H:i"
    assert score_chart([], width=340, height=230, ticks=3) is None


def test_missed_certification_questions_are_announced_as_stand_ins(alice_client, alice, quizzes):
    certification, _practice = quizzes
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    secure = attempt.drawn.get(position=1).question
    Question.objects.filter(pk=secure.pk).update(usage=Question.Usage.CERTIFICATION)
    answer_all(attempt, skip=(1, 2))
    submit_attempt(attempt=attempt, now=timezone.now())
    missed = missed_questions(alice)
    assert (missed.count, len(missed.secure_topic_ids)) == (2, 1)
    html = alice_client.get(reverse("quizzes:history")).content.decode()
    assert "2 questions you last got wrong." in html
    assert (
        "1 of them is a certification question, which stays secret: you practice another "
        "question of its topic instead." in html
    )
    alice_client.post(reverse("quizzes:practice_missed"))
    practice = Attempt.objects.get(is_missed_practice=True)
    assert practice.question_count == 2
    assert not practice.drawn.filter(question=secure).exists()
