from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from quizzes import richtext

register = template.Library()


@register.filter
def minutes_seconds(seconds) -> str:
    """Format seconds left as "12:05"."""
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.filter
def question_text(text) -> str:
    """Prompt, choice, explanation or feedback text, sanitised, with its line breaks."""
    return richtext.as_html(str(text or ""))


@register.filter
def question_plain(text) -> str:
    """The words of question text without markup (autoescaped as usual)."""
    return richtext.as_plain_text(str(text or ""))


_NAVIGATOR_BUTTON = (
    '<li><button type="submit" name="go" value="{0}" class="btn btn-sm {1}" aria-label="{2}"{3}>'
    "{0}</button></li>"
)


@register.simple_tag
def question_navigator(navigator, current: int) -> str:
    """The question page's buttons to every question: the current one, answered or not.

    Built here rather than in a template loop: forty buttons, each with a translated label,
    were the largest share of the page's rendering time.
    """
    answered_label = gettext("Question %(position)s, answered")
    open_label = gettext("Question %(position)s, not answered")
    return format_html_join(
        "",
        _NAVIGATOR_BUTTON,
        (
            (
                position,
                "btn-dark"
                if position == current
                else "btn-success"
                if answered
                else "btn-outline-dark",
                (answered_label if answered else open_label) % {"position": position},
                mark_safe(' aria-current="step"') if position == current else "",
            )
            for position, answered in navigator
        ),
    )
