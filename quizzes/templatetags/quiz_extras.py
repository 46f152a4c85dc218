from django import template

register = template.Library()


@register.filter
def minutes_seconds(seconds) -> str:
    """Format seconds left as "12:05"."""
    seconds = max(0, int(seconds or 0))
    return f"{seconds // 60}:{seconds % 60:02d}"
