"""Who is asking: the client address that per-client limits count."""


def client_address(request) -> str:
    """The address of the client that sent the request, as the server saw it."""
    return request.META.get("REMOTE_ADDR") or "unknown"
