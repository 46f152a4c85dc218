"""Absolute links for what leaves the site (emails, certificates, Open Badges), after
Healthchecks' `absolute_reverse`: always built from SITE_URL, never from the request's Host."""

from django.conf import settings
from django.urls import reverse


def absolute_reverse(viewname: str, args=None) -> str:
    return settings.SITE_URL + reverse(viewname, args=args)


def absolute_url(url: str) -> str:
    """A site-relative address ("/media/...") made absolute; an absolute one unchanged."""
    return settings.SITE_URL + url if url.startswith("/") else url
