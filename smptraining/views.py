import mimetypes

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
    """An illustration from the file storage, when the storage is a folder on this server.

    Only pictures in the illustrations folder are served (to anyone: they are course material);
    other uploads, such as imported question files, never are. An SVG is a document that could
    carry script: it is sent with a policy that forbids everything but its own styles, so
    even opened on its own it runs nothing.
    """
    if not ILLUSTRATION_NAME.fullmatch(name):
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
    response["Cache-Control"] = "public, max-age=3600"
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
