"""Question text with a little markup: bold, italics and the like, and nothing else.

Prompts, choices, explanations and feedback are plain text in which a few inline HTML tags
(written by an instructor, or brought in by a GIFT ``[html]`` question) are allowed. Every page
shows them through ``as_html``, which sanitises with nh3 (the Ammonia sanitiser), so a script,
an event handler or a link never reaches a trainee, whoever wrote the text.
"""

import html
import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe

# Inline tags only: the prompt sits in a <legend>, which holds no paragraphs or lists.
ALLOWED_TAGS = frozenset({"b", "strong", "i", "em", "u", "sub", "sup", "code", "br"})
_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|tr|blockquote|pre)\s*>|<(?:br|hr)\s*/?>", re.I)


def sanitize(html: str) -> str:
    """Keep the allowed tags of this HTML (without attributes) and drop the rest.

    The text inside a dropped tag stays, except a script's or a style's; ``<, >, &`` outside
    tags come back as entities.
    """
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes={}, link_rel=None)


def from_html(html: str) -> str:
    """Question text from an HTML fragment: block ends become line breaks, then sanitise."""
    text = _BLOCK_END.sub("\n", html)
    return sanitize(text).strip()


@lru_cache(maxsize=4096)
def as_html(text: str) -> SafeString:
    """Question text ready for a page: sanitised, with its line breaks kept.

    Kept per text: a bank's few thousand texts are shown over and over, and the result depends
    on nothing else."""
    return mark_safe(sanitize(text).replace("\n", "<br>"))


def as_plain_text(text: str) -> str:
    """The words of the question text without any markup (for lists, CSV and PDFs)."""
    return html.unescape(nh3.clean(text, tags=set(), attributes={}, link_rel=None))
