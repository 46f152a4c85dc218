import mimetypes
import re

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from quizzes.dashboard import trainee_dashboard
from quizzes.models import ILLUSTRATION_NAME

# The academy's logo is printed on every certificate: anyone may see it. A trainer's signature
# is only for the administrators who edit it, so that no one can lift it from the site.
LOGO_NAME = re.compile(r"academy/[0-9a-f]{32}\.(?:png|jpe?g)")
SIGNATURE_NAME = re.compile(r"signatures/[0-9a-f]{32}\.(?:png|jpe?g)")


@require_safe
def home(request):
    """A visitor's introduction, a trainee's dashboard (three queries), or for an instructor
    their own home page."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if request.user.is_instructor:
        return redirect("insight:home")  # instructors start from their own page
    dashboard = trainee_dashboard(trainee=request.user, now=timezone.now())
    return render(request, "home.html", {"dashboard": dashboard})


@require_safe
def media(request, name):
    """A picture from the file storage, when the storage is a folder on this server.

    Illustrations (course material) and the academy's logo are served to anyone, a trainer's
    signature to superusers only; other uploads, such as imported question files, never are.
    An SVG is a document that could carry script: it is sent with a policy that forbids
    everything but its own styles, so even opened on its own it runs nothing.
    """
    public = ILLUSTRATION_NAME.fullmatch(name) or LOGO_NAME.fullmatch(name)
    if not public and not (SIGNATURE_NAME.fullmatch(name) and request.user.is_superuser):
        raise Http404("No such file.")
    try:
        if not default_storage.exists(name):
            raise Http404("No such file.")
        handle = default_storage.open(name)
    except (SuspiciousFileOperation, OSError):
        raise Http404("No such file.") from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


@never_cache
@require_safe
def healthz(request):
    """Answer 200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
