from decimal import Decimal

import pytest

from quizzes.grading import TopicScore, earned_for, judge

A, B, C, D = 1, 2, 4, 8  # choice bits


@pytest.mark.parametrize(
    ("kind", "correct", "selected", "n", "earned"),
    [
        ("single", B, B, 3, 1.0),
        ("single", B, A, 3, 0.0),
        ("single", B, None, 3, 0.0),
        ("true_false", A, A, 2, 1.0),
        ("true_false", A, B, 2, 0.0),
        # Multiple answers, 2 right (A, B) of 4: each right +1/2, each wrong -1/2.
        ("multiple", A | B, A | B, 4, 1.0),
        ("multiple", A | B, A, 4, 0.5),
        ("multiple", A | B, A | C, 4, 0.0),
        ("multiple", A | B, A | B | C, 4, 0.5),
        ("multiple", A | B, C | D, 4, 0.0),  # floored at 0, never negative
        ("multiple", A | B, A | B | C | D, 4, 0.0),
        # 1 right of 4: the right one +1, each wrong -1/3.
        ("multiple", A, A | B, 4, pytest.approx(2 / 3)),
        ("multiple", A, None, 4, 0.0),
    ],
)
def test_credit_follows_moodles_rules(kind, correct, selected, n, earned):
    assert earned_for(kind, correct, selected, n) == earned


def topics(*scores):
    return [
        TopicScore(i, f"Topic {i}", earned, out_of) for i, (earned, out_of) in enumerate(scores)
    ]


def test_a_pass_needs_the_pass_mark_and_every_topic_floor():
    verdict = judge(topics((5, 5), (4, 5)), pass_mark=80, topic_floor=60)
    assert (verdict.score, verdict.passed) == (Decimal("90.00"), True)


def test_a_topic_under_its_floor_fails_a_high_overall_score():
    verdict = judge(topics((5, 5), (5, 5), (5, 5), (5, 5), (2, 5)), pass_mark=80, topic_floor=60)
    assert verdict.score == Decimal("88.00")
    assert not verdict.passed
    assert not verdict.below_pass_mark
    assert [t.name for t in verdict.topics_below_floor] == ["Topic 4"]


def test_below_the_pass_mark_fails():
    verdict = judge(topics((3, 5), (4, 5)), pass_mark=80, topic_floor=0)
    assert (verdict.score, verdict.passed, verdict.below_pass_mark) == (
        Decimal("70.00"),
        False,
        True,
    )


def test_partial_credit_counts_in_the_score():
    verdict = judge(topics((2.5, 3)), pass_mark=80, topic_floor=0)
    assert verdict.score == Decimal("83.33")
