from django import template
from django.utils.html import format_html

from quizzes.records import format_code

register = template.Library()


@register.filter
def verification_code(code: str) -> str:
    """The code in its groups, in a monospace font where 0 and O, 1 and l look different.

    A code stays on one line: broken at a dash it reads as two. Only an older 32-character
    code, shown in groups split by spaces, may break between them on a narrow card."""
    shown = format_code(code)
    css = "verification-code long-code" if " " in shown else "verification-code"
    return format_html('<code class="{}">{}</code>', css, shown)
