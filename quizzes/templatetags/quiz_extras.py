from django import template

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
