"""Scoring rules: what a response earns and whether an attempt passes."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache


def earned_for(kind: str, correct: int, selected: int | None, choice_count: int) -> float:
    """Return the credit (0..1) a response earns.

    Single answer and true/false: all or nothing. Multiple answers, as Moodle weighs them:
    each right choice picked adds 1/k (k right choices), each wrong one subtracts 1/m
    (m wrong choices), and the total never drops below 0.
    """
    if selected is None:
        return 0.0
    if kind != "multiple":
        return 1.0 if selected == correct else 0.0
    all_choices = (1 << choice_count) - 1
    right = correct.bit_count()
    wrong = choice_count - right
    right_picked = (selected & correct).bit_count()
    wrong_picked = (selected & ~correct & all_choices).bit_count()
    credit = right_picked / right - (wrong_picked / wrong if wrong else 0)
    return max(0.0, round(credit, 6))


# Kept per worker: a result page asks it five times a topic, and Decimal rounding is slow.
@lru_cache(maxsize=4096)
def percent(earned: float, out_of: int) -> Decimal:
    if out_of == 0:
        return Decimal("0.00")
    return (Decimal(str(earned)) * 100 / out_of).quantize(Decimal("0.01"), ROUND_HALF_UP)


def whole_percent(score: Decimal) -> str:
    """A score as a whole number, rounded half up as the pages round it (12.5 → 13)."""
    return str(Decimal(score).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class TopicScore:
    topic_id: int
    name: str
    earned: float
    questions: int
    floor: int = 0  # the floor this topic had to reach in the attempt

    @property
    def percent(self) -> Decimal:
        return percent(self.earned, self.questions)


@dataclass(frozen=True)
class Verdict:
    score: Decimal
    passed: bool
    below_pass_mark: bool
    topics_below_floor: list[TopicScore]
    missed_critical: list[int]  # positions of critical questions answered wrongly


def judge(
    topic_scores: list[TopicScore],
    *,
    pass_mark: int,
    topic_floor: int,
    topic_floors: dict[str, int] | None = None,
    missed_critical: list[int] = (),
) -> Verdict:
    """A pass needs the pass mark, every topic at or above its floor, and no critical miss.

    `topic_floors` (by topic id, as text) overrides the quiz-wide `topic_floor` per topic; a
    wrong answer to any critical question fails the attempt whatever the score.
    """
    topic_floors = topic_floors or {}
    earned = sum(t.earned for t in topic_scores)
    questions = sum(t.questions for t in topic_scores)
    score = percent(earned, questions)
    below_floor = [
        t for t in topic_scores if t.percent < topic_floors.get(str(t.topic_id), topic_floor)
    ]
    below_pass_mark = score < pass_mark
    return Verdict(
        score=score,
        passed=not below_pass_mark and not below_floor and not missed_critical,
        below_pass_mark=below_pass_mark,
        topics_below_floor=below_floor,
        missed_critical=list(missed_critical),
    )
