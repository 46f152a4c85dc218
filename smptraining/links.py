"""Absolute links for what leaves the site (emails, certificates, Open Badges), after
Healthchecks' `absolute_reverse`: always built from SITE_URL, never from the request's Host."""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, reverse


def cached_reverse(viewname: str, args=()) -> str:
    """`reverse()`, kept per worker: it costs as much as a dozen template lines, and its answer
    depends only on the code, the name, the arguments and the script prefix."""
    return _reversed(get_script_prefix(), viewname, tuple(args))


@lru_cache(maxsize=4096)
def _reversed(prefix: str, viewname: str, args: tuple) -> str:
    return reverse(viewname, args=args)


def _forget_on_new_urlconf(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":  # only tests change it
        _reversed.cache_clear()


setting_changed.connect(_forget_on_new_urlconf)


def absolute_reverse(viewname: str, args=None) -> str:
    return settings.SITE_URL + cached_reverse(viewname, args or ())


def absolute_url(url: str) -> str:
    """A site-relative address ("/media/...") made absolute; an absolute one unchanged."""
    return settings.SITE_URL + url if url.startswith("/") else url
