def username_for_throttling(request, credentials) -> str | None:
    """Count failed logins per email whatever its letter case, as logging in ignores case."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return username.strip().lower() if username else None
