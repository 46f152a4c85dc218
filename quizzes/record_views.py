"""Completion records: the holder's own pages, and the public verification anyone may use."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from smptraining.clients import client_address
from smptraining.links import absolute_reverse

from . import openbadges, record_reads
from .certificate_files import stored_certificate_pdf
from .certificates import verify_url
from .models import CompletionRecord
from .records import LookupRefused, find_record, issuer_details, normalize_code


@login_required
@require_safe
def my_records(request):
    now = timezone.now()
    records = record_reads.holders_records(request.user.pk, None, now)
    rows = [{"record": r, "status": r.status(now), "label": r.status_label(now)} for r in records]
    return render(request, "quizzes/my_records.html", {"rows": rows}, using="jinja2")


@login_required
@require_safe
def record_pdf(request, code):
    """The holder's certificate; anyone else's is a 404. A revoked record's is not printed.

    Rendered after the result page of the pass went out (or on the first download of a
    version not kept yet), then read from the storage.
    """
    record = get_object_or_404(
        CompletionRecord.objects.with_status(timezone.now()),
        verification_code=code,
        trainee=request.user,
    )
    if record.current_status == CompletionRecord.Status.REVOKED:
        messages.error(request, _("This record was revoked: its certificate cannot be printed."))
        return redirect("quizzes:my_records")
    response = HttpResponse(stored_certificate_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="smp-safety-certificate-{record.issued_at:%Y-%m-%d}.pdf"'
    )
    return response


@require_safe
def verify_form(request):
    """Check a code as typed: forgiving case, spaces and misread letters; a miss keeps the text."""
    typed = request.GET.get("code", "")
    if not typed.strip():
        return render(request, "quizzes/verify_form.html")
    try:
        record = find_record(text=typed, client=client_address(request), now=timezone.now())
    except LookupRefused as refusal:
        return _too_many_lookups(request, refusal, typed)
    if record is None:
        return unknown_code(request, typed)
    return redirect("quizzes:verify", record.verification_code)


def _too_many_lookups(request, refusal: LookupRefused, typed: str = ""):
    response = render(
        request,
        "quizzes/verify_form.html",
        {"code": typed[:80], "code_error": str(refusal)},
        status=429,
    )
    return _retry_later(response, refusal)


@require_safe
def unknown_code(request, code):
    """A code that is not known, or not even shaped like one: a 404 that says so."""
    return render(request, "quizzes/verify_unknown.html", {"code": code[:80]}, status=404)


@require_safe
def malformed_code(request, code):
    """A verify address whose code is not as stored: the page of the code meant, if any.

    A code typed into the address bar in lower case or without dashes still finds its page,
    without touching the database.
    """
    meant = normalize_code(code)
    if meant is not None and meant != code:
        return redirect("quizzes:verify", meant)
    return unknown_code(request, code)


@require_safe
@cache_control(no_cache=True)
def verify(request, code):
    now = timezone.now()
    try:
        record = find_record(text=code, client=client_address(request), now=now)
    except LookupRefused as refusal:
        return _too_many_lookups(request, refusal, code)
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
            "issuer": issuer_details(),
            "checked_at": now,
        },
        using="jinja2",
    )


def _chain(record, now):
    """Every record of the same holder and quiz, oldest first. One query."""
    if record.trainee_id is None:
        return [record]
    return record_reads.holders_records(record.trainee_id, record.quiz_id, now)


def _retry_later(response, refusal: LookupRefused):
    response["Retry-After"] = str(refusal.retry_after)
    return response


@require_safe
@cache_control(no_cache=True)
def verify_json(request, code):
    try:
        record = find_record(text=code, client=client_address(request), now=timezone.now())
    except LookupRefused as refusal:
        return _retry_later(JsonResponse({"error": str(refusal)}, status=429), refusal)
    if record is None:
        return JsonResponse({"error": _("This verification code is not known.")}, status=404)
    response = JsonResponse(openbadges.credential(record), json_dumps_params={"indent": 2})
    jwt_url = absolute_reverse("quizzes:verify_jwt", args=[code])
    response["Link"] = f'<{jwt_url}>; rel="alternate"; type="text/plain"'
    return response


@require_safe
@cache_control(no_cache=True)
def verify_jwt(request, code):
    try:
        record = find_record(text=code, client=client_address(request), now=timezone.now())
    except LookupRefused as refusal:
        return _retry_later(
            HttpResponse(str(refusal), status=429, content_type="text/plain"), refusal
        )
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
def status_list(request):
    """The revocation status list every credential points to, as a signed VC-JWT."""
    return HttpResponse(
        openbadges.signed_status_list_credential(timezone.now()), content_type="text/plain"
    )


@require_safe
@cache_control(no_cache=True)
def status_list_json(request):
    """The same status list credential, unsigned, for reading."""
    return JsonResponse(
        openbadges.status_list_credential(timezone.now()), json_dumps_params={"indent": 2}
    )


@require_safe
def revocation_list(request):
    """The old 1EdTech revocation list named revoked credentials and the reasons: retired.

    Gone rather than empty, so a verifier holding an old credential that points here cannot
    take an empty list for "not revoked"; the status list answers instead.
    """
    return JsonResponse(
        {
            "error": _(
                "This revocation list is retired. Check the credential again: its "
                "credentialStatus points to the issuer's status list."
            ),
            "statusListCredential": openbadges.status_list_id(),
        },
        status=410,
    )
