"""The Jinja2 environment of the pages rendered most often (templates/jinja2/).

The pages trainees load most (a question, the quiz list, their history, a result) and the
verify page a QR code opens: with Django's template language their rendering took as long as
all their queries (BENCHMARKS.md, sixth and seventh rounds); Jinja2 compiles a template to
Python once and renders the same page in a fraction of that. Every other page keeps Django's
templates. The page chrome
(templates/jinja2/base.html) mirrors templates/base.html; tests/test_jinja2_pages.py holds
them to the same markup.
"""

from datetime import datetime
from functools import lru_cache

from django.template import defaultfilters
from django.templatetags.static import static as static_url
from django.utils import dateformat, translation
from django.utils.timezone import template_localtime
from jinja2 import Environment, pass_context
from markupsafe import Markup

from quizzes.templatetags.quiz_extras import (
    answered_of,
    attempts_left,
    critical_unnamed,
    earned_of,
    minutes_seconds,
    missed_summary,
    question_navigator,
    question_text,
)
from quizzes.templatetags.record_codes import verification_code
from smptraining.links import cached_reverse


def url(name: str, *args) -> str:
    """`{% url %}`."""
    return cached_reverse(name, args)


@lru_cache(maxsize=64)
def static(path: str) -> str:
    """`{% static %}`: the hashed name of a file comes from the manifest, fixed per deploy."""
    return static_url(path)


@lru_cache(maxsize=2048)
def _translated(language: str, context: str, message: str) -> Markup:
    if context:
        return Markup(translation.pgettext(context, message))
    return Markup(translation.gettext(message))


def language(request) -> dict:
    """Context processor: the page's language, asked once. `get_language()` costs 3–5 µs, and
    a page's words, numbers and dates would ask it sixty times."""
    return {"page_language": translation.get_language()}


def _language(context) -> str:
    # A macro imported without the page's context (or a page rendered without a request)
    # asks for itself.
    return context.get("page_language") or translation.get_language()


@pass_context
def gettext(context, message: str) -> Markup:
    """`_("...")`: the translation, as safe as the page's own words. Fill its `%(name)s` with
    the `format` filter, which escapes the values. Kept per language: a page asks for thirty."""
    return _translated(_language(context), "", message)


@pass_context
def pgettext(context, message_context: str, message: str) -> Markup:
    return _translated(_language(context), message_context, message)


@pass_context
def date(context, value, format_string: str) -> str:
    """Django's `date` filter for a format written out ("j F Y"), in the current time zone as
    Django's templates show times. Empty for no date, as the filter is."""
    if value in (None, ""):
        return ""
    local = template_localtime(value)
    zone = (local.tzinfo, local.utcoffset()) if isinstance(local, datetime) else None
    return _formatted(local, zone, format_string, _language(context))


@lru_cache(maxsize=4096)
def _formatted(local, zone, format_string: str, language: str) -> str:
    """Django's date formatting takes 40 µs a date here (month names are lazy translations):
    a history page shows a dozen, the same ones on each visit. `zone` (with its offset, for
    the repeated hour of a clock change) keys the cache apart for equal instants in different
    time zones, which compare equal but print differently."""
    return dateformat.format(local, format_string)


@pass_context
def floatformat(context, value, arg=-1) -> str:
    """Django's `floatformat` filter. It rounds through Decimal and localizes: 15 µs a number
    here, and a result page shows twenty. Scores repeat, so each worker keeps what it made."""
    try:
        return _floatformatted(value, type(value), arg, _language(context))
    except TypeError:  # not hashable: leave it to the filter
        return defaultfilters.floatformat(value, arg)


@lru_cache(maxsize=4096)
def _floatformatted(value, kind: type, arg, language: str) -> str:
    return defaultfilters.floatformat(value, arg)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(
        _=gettext,
        pgettext=pgettext,
        answered_of=answered_of,
        missed_summary=missed_summary,
        critical_unnamed=critical_unnamed,
        attempts_left=attempts_left,
        earned_of=earned_of,
        url=url,
        static=static,
        get_language=translation.get_language,
        question_navigator=question_navigator,
    )
    env.filters.update(
        question_text=question_text,
        minutes_seconds=minutes_seconds,
        verification_code=verification_code,
        date=date,
        floatformat=floatformat,
        linebreaksbr=defaultfilters.linebreaksbr,
    )
    return env
