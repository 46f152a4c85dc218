"""Security headers Django 5.2 does not set by itself, and the signed-in session's lifetime."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

# When the session was last saved, in seconds since the epoch.
LAST_REFRESH = "last_refresh"


def _policy(style_src: str) -> str:
    images = " ".join(filter(None, ["'self'", "data:", settings.STORAGE_PUBLIC_ORIGIN]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style_src}",
            f"img-src {images}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def content_security_policy(get_response):
    """Forbid inline script and style and anything from another host, on every response.

    Pictures may also come from the file storage's public origin, when one is configured.
    """
    site_policy = _policy("'self'")
    # Django's admin templates still carry a few style attributes (inline forms); script
    # stays forbidden there too.
    admin_policy = _policy("'self' 'unsafe-inline'")

    def middleware(request):
        response = get_response(request)
        admin = request.path.startswith("/admin/")
        response.headers.setdefault(
            "Content-Security-Policy", admin_policy if admin else site_policy
        )
        return response

    return middleware


def signed_in_sessions(get_response):
    """Keep signed-in answers out of every cache, and end sessions left idle.

    A signed-in response (a page, a certificate PDF, a JSON download) may hold answers, names
    and records, so no browser or proxy may store it: a shared clinic PC must not show the
    last trainee's results from its cache. Anonymous pages are left to their own headers.

    A session expires SESSION_COOKIE_AGE after it was last saved (or the "keep me signed in"
    age). Saving it on every request would write to the database each time; instead it is
    saved once half its age has passed, so an active session lives on and an idle one ends
    between half and all of that age after its last request.
    """

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            response["Cache-Control"] = "private, no-store"
            now = int(time.time())
            if now - session.get(LAST_REFRESH, 0) >= session.get_expiry_age() // 2:
                session[LAST_REFRESH] = now
        return response

    return middleware


def stamp_new_session(sender, request, user, **kwargs):
    """A session saved by logging in counts as refreshed then (a user_logged_in receiver)."""
    request.session[LAST_REFRESH] = int(time.time())
