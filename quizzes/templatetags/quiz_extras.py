from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from quizzes import richtext

register = template.Library()


@register.filter
def minutes_seconds(seconds) -> str:
    """Format seconds left as "12:05"."""
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.simple_tag
def answered_of(answered: int, total: int) -> str:
    """The progress bar's words: "3 of 30 answered" (a plural, so written here in Python,
    where makemessages finds it, rather than in the Jinja2 question page)."""
    return ngettext(
        "%(answered)s of %(total)s answered", "%(answered)s of %(total)s answered", answered
    ) % {"answered": answered, "total": total}


def missed_summary(missed) -> str:
    """How many questions "Practice what I missed" holds, and how many stand in for secret
    ones (plurals, so written here, as `answered_of` is)."""
    text = ngettext(
        "%(counter)s question you last got wrong.",
        "%(counter)s questions you last got wrong.",
        missed.count,
    ) % {"counter": missed.count}
    secure = len(missed.secure_topic_ids)
    if secure:
        text += " " + ngettext(
            "%(counter)s of them is a certification question, which stays secret: you practice "
            "another question of its topic instead.",
            "%(counter)s of them are certification questions, which stay secret: you practice "
            "other questions of their topics instead.",
            secure,
        ) % {"counter": secure}
    return text


def critical_unnamed(count: int) -> str:
    """The result page's count of critical questions missed that it may not name."""
    return ngettext(
        "%(counter)s critical question was not answered right: a wrong answer to a critical "
        "question fails the attempt, whatever the score.",
        "%(counter)s critical questions were not answered right: a wrong answer to a critical "
        "question fails the attempt, whatever the score.",
        count,
    ) % {"counter": count}


def attempts_left(count: int) -> str:
    return ngettext("%(left)s attempt left.", "%(left)s attempts left.", count) % {"left": count}


def earned_of(earned: str, questions: int) -> str:
    """A topic's credit on the result page: "(2.5 of 3)"."""
    return ngettext("(%(earned)s of %(questions)s)", "(%(earned)s of %(questions)s)", questions) % {
        "earned": earned,
        "questions": questions,
    }


@register.filter
def question_text(text) -> str:
    """Prompt, choice, explanation or feedback text, sanitised, with its line breaks."""
    return richtext.as_html(str(text or ""))


@register.filter
def question_plain(text) -> str:
    """The words of question text without markup (autoescaped as usual)."""
    return richtext.as_plain_text(str(text or ""))


@register.simple_tag
def question_navigator(navigator, current: int) -> str:
    """The question page's buttons to every question: the current one, answered or not.

    Built here rather than in a template loop: forty buttons, each with a translated label,
    were the largest share of the page's rendering time. Each label is escaped once, not per
    button (format_html per button was still a fifth of the page); positions are integers.
    """
    answered_label = escape(gettext("Question %(position)s, answered"))
    open_label = escape(gettext("Question %(position)s, not answered"))
    buttons = []
    for position, answered in navigator:
        position = int(position)
        if position == current:
            style, extra = "btn-dark", ' aria-current="step"'
        else:
            style, extra = "btn-success" if answered else "btn-outline-dark", ""
        label = (answered_label if answered else open_label) % {"position": position}
        buttons.append(
            f'<li><button type="submit" name="go" value="{position}" class="btn btn-sm {style}"'
            f' aria-label="{label}"{extra}>{position}</button></li>'
        )
    return mark_safe("".join(buttons))
