"""Completion records: the holder's own pages, and the public verification anyone may use."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from smptraining.links import absolute_reverse

from . import openbadges
from .certificates import certificate_pdf, verify_url
from .models import CompletionRecord
from .records import is_verification_code


@login_required
@require_safe
def my_records(request):
    now = timezone.now()
    records = (
        CompletionRecord.objects.filter(trainee=request.user)
        .with_status(now)
        .select_related("quiz")
        .order_by("-issued_at")
    )
    rows = [{"record": r, "status": r.status(now), "label": r.status_label(now)} for r in records]
    return render(request, "quizzes/my_records.html", {"rows": rows})


@login_required
@require_safe
def record_pdf(request, code):
    """The holder's certificate; anyone else's is a 404. A revoked one still downloads, marked."""
    record = get_object_or_404(
        CompletionRecord.objects.with_status(timezone.now()),
        verification_code=code,
        trainee=request.user,
    )
    pdf = certificate_pdf(record, status=record.current_status)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="smp-safety-certificate-{record.issued_at:%Y-%m-%d}.pdf"'
    )
    return response


@require_safe
def verify_form(request):
    code = request.GET.get("code", "").strip()
    if code:
        return (
            redirect("quizzes:verify", code)
            if is_verification_code(code)
            else unknown_code(request, code)
        )
    return render(request, "quizzes/verify_form.html")


@require_safe
def unknown_code(request, code):
    """A code that is not known, or not even shaped like one: a 404 that says so."""
    return render(request, "quizzes/verify_unknown.html", {"code": code[:80]}, status=404)


def _record_or_none(code, now):
    return (
        CompletionRecord.objects.with_status(now)
        .select_related("quiz")
        .filter(verification_code=code)
        .first()
    )


@require_safe
@cache_control(no_cache=True)
def verify(request, code):
    now = timezone.now()
    record = _record_or_none(code, now)
    if record is None:
        return unknown_code(request, code)
    chain = _chain(record, now)
    return render(
        request,
        "quizzes/verify.html",
        {
            "record": record,
            "status": record.status(now),
            "label": record.status_label(now),
            "chain": [(r, r.status_label(now)) for r in chain],
            "verify_url": verify_url(record),
        },
    )


def _chain(record, now):
    """Every record of the same holder and quiz, oldest first. One query."""
    if record.trainee_id is None:
        return [record]
    return list(
        CompletionRecord.objects.filter(trainee_id=record.trainee_id, quiz_id=record.quiz_id)
        .with_status(now)
        .order_by("issued_at")
        .only("verification_code", "issued_at", "expires_at", "quiz_title")
    )


@require_safe
@cache_control(no_cache=True)
def verify_json(request, code):
    record = _record_or_none(code, timezone.now())
    if record is None:
        return JsonResponse({"error": _("This verification code is not known.")}, status=404)
    response = JsonResponse(openbadges.credential(record), json_dumps_params={"indent": 2})
    jwt_url = absolute_reverse("quizzes:verify_jwt", args=[code])
    response["Link"] = f'<{jwt_url}>; rel="alternate"; type="text/plain"'
    return response


@require_safe
@cache_control(no_cache=True)
def verify_jwt(request, code):
    record = _record_or_none(code, timezone.now())
    if record is None:
        return HttpResponse(
            _("This verification code is not known."), status=404, content_type="text/plain"
        )
    return HttpResponse(openbadges.signed_credential(record), content_type="text/plain")


@require_safe
def jwks(request):
    return JsonResponse(openbadges.jwks(), content_type="application/jwk-set+json")


@require_safe
def issuer_profile(request):
    return JsonResponse(openbadges.issuer_profile())


@require_safe
@cache_control(no_cache=True)
def revocation_list(request):
    return JsonResponse(openbadges.revocation_list())
