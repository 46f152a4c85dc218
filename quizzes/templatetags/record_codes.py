from django import template
from django.utils.html import format_html

from quizzes.records import format_code

register = template.Library()


@register.filter
def verification_code(code: str) -> str:
    """The code in its groups, in a monospace font where 0 and O, 1 and l look different."""
    return format_html('<code class="verification-code">{}</code>', format_code(code))
