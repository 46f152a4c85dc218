"""The Jinja2 environment of the pages rendered most often (templates/jinja2/).

The pages trainees load most (a question, the quiz list, their history, a result) and the
verify page a QR code opens: with Django's template language their rendering took as long as
all their queries (BENCHMARKS.md, sixth and seventh rounds); Jinja2 compiles a template to
Python once and renders the same page in a fraction of that, and each language's words are
compiled into its own copy of the templates (`Jinja2`, `ConstantTranslations`). Every other
page keeps Django's templates. The page chrome (templates/jinja2/base.html) mirrors
templates/base.html; tests/test_jinja2_pages.py holds them to the same markup.
"""

from datetime import UTC, datetime
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.template import defaultfilters, engines
from django.template.backends import jinja2 as django_jinja2
from django.templatetags.static import static as static_url
from django.utils import dateformat, timezone, translation
from jinja2 import Environment, lexer, pass_context, pass_environment
from jinja2.ext import Extension
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
    """Context processor: the page's language and time zone, asked once. `get_language()`
    costs 3–5 µs, and a page's numbers and dates would ask it thirty times."""
    return {
        "page_language": translation.get_language(),
        "page_timezone": timezone.get_current_timezone(),
    }


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
    if isinstance(value, datetime) and timezone.is_aware(value):
        # In UTC two instants never share a key, as they can in the repeated hour of a zone.
        value = value.astimezone(UTC)
    zone = context.get("page_timezone") or timezone.get_current_timezone()
    return _formatted(value, zone, format_string, _language(context))


@lru_cache(maxsize=4096)
def _formatted(value, zone, format_string: str, language: str) -> str:
    """Django's date formatting takes 40 µs a date here (month names are lazy translations):
    a history page shows a dozen, the same ones on each visit."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = value.astimezone(zone)
    return dateformat.format(value, format_string)


def _per_language(helper):
    """`helper`, its text kept per language and arguments (and their types: 1 and 1.0 may
    print apart). For Django's `floatformat`, which rounds through Decimal and localizes (15 µs
    a number; a result page shows twenty), and the plural helpers of quiz_extras (ngettext,
    10 µs a call, once a topic)."""
    kept = lru_cache(maxsize=4096)(lambda language, types, *args: helper(*args))

    @pass_context
    def call(context, *args):
        try:
            return kept(_language(context), tuple(map(type, args)), *args)
        except TypeError:  # an argument that cannot be a key
            return helper(*args)

    return call


class ConstantTranslations(Extension):
    """In an environment made for one language (`Jinja2` below), `_("...")` and
    `pgettext("...", "...")` with their text written out become the translation itself when
    the template compiles, printed as the template's own markup is. Called as the page
    rendered, they were a quarter of its template's time under load (py-spy, BENCHMARKS.md).
    A message held in a variable stays a call."""

    def filter_stream(self, stream):
        if getattr(self.environment, "language", None) is None:
            yield from stream
            return
        tokens = list(stream)
        at = 0
        while at < len(tokens):
            replaced, width = self._replacement(tokens, at)
            yield from replaced
            at += width

    @staticmethod
    def _replacement(tokens, at) -> tuple[list, int]:
        """The tokens at `at` with a translation of written-out text in their place, if they
        start one, and how many tokens they replace."""
        first = tokens[at]
        if first.type != lexer.TOKEN_NAME or (at > 0 and tokens[at - 1].type == lexer.TOKEN_DOT):
            return [first], 1
        kinds = [token.type for token in tokens[at + 1 : at + 6]]
        opens, text, comma, closes = "lparen", "string", "comma", "rparen"
        if first.value == "_" and kinds[:3] == [opens, text, closes]:
            message, message_context, width = tokens[at + 2], None, 4
        elif first.value == "pgettext" and kinds == [opens, text, comma, text, closes]:
            message, message_context, width = tokens[at + 4], tokens[at + 2], 6
        else:
            return [first], 1

        def token(kind, value):
            return lexer.Token(first.lineno, kind, value)

        argument = [token(opens, "("), message_context, token(closes, ")")]
        return [
            token(opens, "("),
            message,
            token("pipe", "|"),
            token("name", "translated_text"),
            *(argument if message_context else []),
            token(closes, ")"),
        ], width


@pass_environment
def translated_text(environment, message: str, message_context: str = "") -> Markup:
    """The filter `ConstantTranslations` writes: Jinja's optimizer calls it as the template
    compiles, since its arguments are written out, and keeps the text it returns."""
    with translation.override(environment.language):
        return _translated(environment.language, message_context, message)


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend, with an environment per language, made when first asked:
    each compiles its language's words into its templates (`ConstantTranslations`)."""

    @property
    def env(self) -> Environment:
        language = translation.get_language()
        try:
            return self._by_language[language]
        except KeyError:
            env = self._by_language[language] = self._first.overlay()
            env.language = language
            return env

    @env.setter
    def env(self, first: Environment) -> None:
        if first.bytecode_cache is not None:  # it would key one language's text for all
            raise ImproperlyConfigured("The Jinja2 pages compile each language apart.")
        self._first = first
        self.forget_languages()

    def forget_languages(self) -> None:
        self._by_language = {None: self._first}


def forget_compiled_translations(**kwargs) -> None:
    """Compile every language's templates afresh: on a change to the settings that decide the
    translations, and in tests that add a language."""
    if kwargs.get("setting", "LANGUAGES") in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        for engine in engines.all():
            if isinstance(engine, Jinja2):
                engine.forget_languages()


setting_changed.connect(forget_compiled_translations)


def environment(**options) -> Environment:
    env = Environment(**options, extensions=[ConstantTranslations])
    env.language = None  # translations are looked up as the page renders
    env.globals.update(
        _=gettext,
        pgettext=pgettext,
        answered_of=_per_language(answered_of),
        missed_summary=missed_summary,  # takes a list: nothing to key on
        critical_unnamed=_per_language(critical_unnamed),
        attempts_left=_per_language(attempts_left),
        earned_of=_per_language(earned_of),
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
        floatformat=_per_language(defaultfilters.floatformat),
        linebreaksbr=defaultfilters.linebreaksbr,
        translated_text=translated_text,
    )
    return env
