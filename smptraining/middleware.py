"""Security headers Django 5.2 does not set by itself."""


def _policy(style_src: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style_src}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = _policy("'self'")
# Django's admin templates still carry a few style attributes (inline forms); script stays
# forbidden there too.
ADMIN_CONTENT_SECURITY_POLICY = _policy("'self' 'unsafe-inline'")


def content_security_policy(get_response):
    """Forbid inline script and style and anything from another host, on every response."""

    def middleware(request):
        response = get_response(request)
        admin = request.path.startswith("/admin/")
        response.headers.setdefault(
            "Content-Security-Policy",
            ADMIN_CONTENT_SECURITY_POLICY if admin else CONTENT_SECURITY_POLICY,
        )
        return response

    return middleware
