"""Security headers Django 5.2 does not set by itself."""

from django.conf import settings


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
