"""A trainee who knows nothing must not pass on the form of the answers.

Naive strategies play the shipped bank as it is stored (the order GIFT and JSON exports keep)
and each must score within 10 percentage points of chance on the items it applies to. Chance is
a uniform guess: 1/n for a single answer, 1/2 for true/false, and for multiple answers the mean
credit over every possible set of ticks, scored as the quiz scores it.
"""

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations
from statistics import mean

import pytest

from quizzes.grading import earned_for
from quizzes.safety_bank import BANK_DIR, HISTORY

MARGIN = 0.10
REASON = re.compile(
    r"\b(because|since|as long as|so that|so the|provided|unless|in order to|otherwise|"
    r"to avoid|to prevent|given that|which means|as this)\b",
    re.I,
)
ABSOLUTE = re.compile(
    r"\b(always|never|only|all|none|every|must|any|completely|entirely|guaranteed|cannot|"
    r"no one|nothing|regardless|rules? out|no longer|without|little or no|fundamentally|"
    r"just as|settled|proves?|certain(ly)?)\b",
    re.I,
)
HEDGE = re.compile(
    r"\b(may|might|can|could|usually|often|some|sometimes|typically|generally|possibl[ey]|"
    r"likely|mostly|thought to|known to|tends? to|rarely)\b",
    re.I,
)
SOURCE = re.compile(
    r"\b(FDA|CDC|OSHA|NHS|NIOSH|WHO|EU|EPA|NEHA|Mayo|article|guidance|regulators?|research|"
    r"studies|study|experts?)\b"
)
STOPWORDS = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "in",
    "on",
    "for",
    "and",
    "or",
    "is",
    "are",
    "be",
    "it",
    "its",
    "this",
    "that",
    "with",
    "at",
    "by",
    "as",
    "from",
    "your",
    "you",
    "what",
    "which",
    "who",
    "when",
    "how",
    "do",
    "does",
    "should",
}


@dataclass(frozen=True)
class Choice:
    text: str
    is_correct: bool


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    prompt: str
    choices: list[Choice]
    image: str


@pytest.fixture(scope="module")
def bank():
    """The shipped questions with their choices in stored order, read from the bank's files."""
    items = []
    for path in sorted(BANK_DIR.glob("*.json")):
        if path.name == HISTORY:
            continue
        for topic in json.loads(path.read_text())["topics"]:
            items += [
                Item(
                    q["key"],
                    q["kind"],
                    q["prompt"],
                    [Choice(c["text"], c["correct"]) for c in q["choices"]],
                    q["image"],
                )
                for q in topic["questions"]
                if q["active"]
            ]
    return items


def mask(question, indexes):
    return sum(1 << i for i in indexes)


def key(question) -> int:
    return mask(question, [i for i, c in enumerate(question.choices) if c.is_correct])


def credit(question, picks: list[int]) -> float:
    return earned_for(question.kind, key(question), mask(question, picks), len(question.choices))


def chance(question) -> float:
    n = len(question.choices)
    if question.kind != "multiple":
        return 1 / n
    subsets = [list(s) for size in range(n + 1) for s in combinations(range(n), size)]
    return mean(credit(question, s) for s in subsets)


def pick_one_of(question, indexes) -> float:
    """The expected credit of choosing uniformly among these choices (all, if none)."""
    indexes = list(indexes) or list(range(len(question.choices)))
    return mean(credit(question, [i]) for i in indexes)


def lengths(question):
    return [len(c.text) for c in question.choices]


def longest(question):
    top = max(lengths(question))
    return [i for i, n in enumerate(lengths(question)) if n == top]


def shortest(question):
    low = min(lengths(question))
    return [i for i, n in enumerate(lengths(question)) if n == low]


def without(question, pattern):
    return [i for i, c in enumerate(question.choices) if not pattern.search(c.text)]


def with_(question, pattern):
    return [i for i, c in enumerate(question.choices) if pattern.search(c.text)]


def words(text):
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOPWORDS}


def overlap_with_prompt(question):
    return [len(words(c.text) & words(question.prompt)) for c in question.choices]


def most_like_prompt(question):
    overlap = overlap_with_prompt(question)
    return [i for i, n in enumerate(overlap) if n == max(overlap)]


def least_like_prompt(question):
    overlap = overlap_with_prompt(question)
    return [i for i, n in enumerate(overlap) if n == min(overlap)]


def least_like_the_others(question):
    """The choice whose words differ most from the other choices' (the odd one out)."""
    texts = [c.text.lower().split() for c in question.choices]
    alike = [
        mean(SequenceMatcher(None, a, b).ratio() for j, b in enumerate(texts) if j != i)
        for i, a in enumerate(texts)
    ]
    return [i for i, n in enumerate(alike) if n == min(alike)]


def answering(question, text: str) -> float:
    """The credit of answering a true/false item "True" or "False"."""
    return credit(question, [[c.text for c in question.choices].index(text)])


def true_false_by_prompt(pattern, when_found: str):
    """Answer a true/false item by whether its statement matches the pattern."""

    def play(question):
        found = bool(pattern.search(question.prompt))
        answer = when_found if found else ("True" if when_found == "False" else "False")
        return answering(question, answer)

    return play


def true_false_by_tone(question) -> float:
    """A hedged statement is True and an absolute one False; a guess when neither or both."""
    hedged, absolute = bool(HEDGE.search(question.prompt)), bool(ABSOLUTE.search(question.prompt))
    if hedged == absolute:
        return 0.5
    return answering(question, str(hedged))


# Each strategy: (kinds it plays, how it plays one item → expected credit).
STRATEGIES = {
    "always True": (("true_false",), lambda q: credit(q, [0])),
    "always False": (("true_false",), lambda q: credit(q, [1])),
    "the longest choice": (("single",), lambda q: pick_one_of(q, longest(q))),
    "never the longest": (
        ("single",),
        lambda q: pick_one_of(q, [i for i in range(len(q.choices)) if i not in longest(q)]),
    ),
    "the shortest choice": (("single",), lambda q: pick_one_of(q, shortest(q))),
    "reject a reason clause": (("single",), lambda q: pick_one_of(q, without(q, REASON))),
    "reject an absolute word": (("single",), lambda q: pick_one_of(q, without(q, ABSOLUTE))),
    "prefer a hedged choice": (("single",), lambda q: pick_one_of(q, with_(q, HEDGE))),
    "the choice naming a source": (("single",), lambda q: pick_one_of(q, with_(q, SOURCE))),
    "the choice most like the prompt": (("single",), lambda q: pick_one_of(q, most_like_prompt(q))),
    "the choice least like the prompt": (
        ("single",),
        lambda q: pick_one_of(q, least_like_prompt(q)),
    ),
    "the odd one out": (("single",), lambda q: pick_one_of(q, least_like_the_others(q))),
    "the first stored choice": (("single",), lambda q: credit(q, [0])),
    "the last stored choice": (("single",), lambda q: credit(q, [len(q.choices) - 1])),
    "a reason clause means False": (("true_false",), true_false_by_prompt(REASON, "False")),
    "an absolute word means False": (("true_false",), true_false_by_prompt(ABSOLUTE, "False")),
    "a hedge means True": (("true_false",), true_false_by_prompt(HEDGE, "True")),
    "hedged True, absolute False": (("true_false",), true_false_by_tone),
    "tick all but the longest": (
        ("multiple",),
        lambda q: mean(
            credit(q, [i for i in range(len(q.choices)) if i != top]) for top in longest(q)
        ),
    ),
    "tick only the longest": (("multiple",), lambda q: pick_one_of(q, longest(q))),
    "tick all": (("multiple",), lambda q: credit(q, list(range(len(q.choices))))),
    "tick all without an absolute word": (
        ("multiple",),
        lambda q: credit(q, without(q, ABSOLUTE)),
    ),
    "tick all without a reason clause": (("multiple",), lambda q: credit(q, without(q, REASON))),
}


@pytest.mark.parametrize("name", STRATEGIES)
def test_no_naive_strategy_beats_chance(bank, name):
    kinds, play = STRATEGIES[name]
    items = [q for q in bank if q.kind in kinds]
    assert items, name
    scored, expected = mean(play(q) for q in items), mean(chance(q) for q in items)
    assert scored <= expected + MARGIN, (
        f"{name!r} scores {scored:.0%} against chance {expected:.0%} on {len(items)} items"
    )


def test_true_false_keys_are_balanced(bank):
    items = [q for q in bank if q.kind == "true_false"]
    keyed_true = sum(q.choices[0].is_correct for q in items) / len(items)
    assert 0.40 <= keyed_true <= 0.60, f"{keyed_true:.0%} keyed True"


@pytest.mark.parametrize("kind", ["single", "multiple"])
def test_the_keys_stored_position_is_spread_evenly(bank, kind):
    items = [q for q in bank if q.kind == kind]
    places = len(items[0].choices)
    counts = [0] * places
    for question in items:
        for i, choice in enumerate(question.choices):
            counts[i] += choice.is_correct
    shares = [c / sum(counts) for c in counts]
    assert all(abs(share - 1 / places) <= 0.07 for share in shares), shares


def test_multiple_answer_items_vary_in_how_many_choices_are_right(bank):
    rights = [sum(c.is_correct for c in q.choices) for q in bank if q.kind == "multiple"]
    many = sum(r >= 3 for r in rights) / len(rights)
    assert 0.3 <= many <= 0.7, f"{many:.0%} of multiple-answer items have 3+ right choices"


# Two prompts this alike (difflib's ratio over their words, 0..1) ask the same thing.
NEAR_DUPLICATE = 0.75


def test_no_two_prompts_are_near_duplicates(bank):
    prompts = [(q.key, " ".join(sorted(words(q.prompt)))) for q in bank]
    alike = [
        (a, b, round(ratio, 2))
        for (a, pa), (b, pb) in combinations(prompts, 2)
        if (ratio := SequenceMatcher(None, pa, pb).ratio()) >= NEAR_DUPLICATE
    ]
    assert not alike, alike


def test_most_items_ask_for_a_decision_in_a_situation(bank):
    situation = re.compile(
        r"\b(you|your|client|colleague|trainee|apprentice|practitioner|studio|session)\b", re.I
    )
    share = sum(bool(situation.search(q.prompt)) for q in bank) / len(bank)
    assert share >= 0.5, f"{share:.0%}"


def test_an_item_that_points_at_a_figure_shows_one(bank):
    """An item that says "using the diagram" or "the 1 cm mark" needs the figure on its page."""
    figure = re.compile(r"\b(the|this) (diagram|illustration|picture)\b|\b[\d.]+ ?cm mark\b", re.I)
    blind = [
        q.key
        for q in bank
        if not q.image and any(figure.search(t) for t in [q.prompt, *(c.text for c in q.choices)])
    ]
    assert not blind, blind
