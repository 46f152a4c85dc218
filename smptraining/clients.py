"""Who is asking: the client's address as the configured proxies report it."""

from django.conf import settings
from ipware import get_client_ip


def client_address(request) -> str:
    """The address of the client, read behind `DJANGO_PROXY_COUNT` proxies.

    Each proxy appends the address it was connected from to X-Forwarded-For, so with N proxies
    the client is the N-th entry from the right; anything further left came from the client
    and may be forged, so it is never read. Without proxies, or when the header is missing or
    shorter than expected, the connecting address counts. Login throttling (django-axes and
    our own counters), sign-up limits and verification-code look-ups all ask here.
    """
    proxies = settings.DJANGO_PROXY_COUNT
    if proxies:
        # python-ipware counts the proxies *after* the client within the header itself: with
        # N proxies the last N-1 entries are proxies and the one before them is the client.
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=proxies - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"
