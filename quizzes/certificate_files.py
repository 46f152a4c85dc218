"""Certificates rendered once and kept in the file storage, so a download costs no rendering.

A thin layer over certificates.certificate_pdf: the file's name is derived from everything the
page can show (every field of the record, the academy's details and logo, the language, the
verify URL in the QR code, and the certificate module's own code), so any change to one of them
— a corrected name, a new address or logo, a new design — makes a new file instead of serving a
stale one. The page prints no status, so a revocation or an expiry changes nothing in it. The
name also hashes the verification code, so it cannot be guessed from the record's id
(on a public bucket the file is as private as the code itself).
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import get_language

from academy.models import Academy
from smptraining.after_response import after_response

from . import certificate_fonts, certificates
from .models import CompletionRecord

FOLDER = "certificates"


@cache
def _design_version() -> str:
    """A digest of the modules that draw the certificate and choose its fonts: a new design is
    a new file."""
    digest = hashlib.sha256()
    for module in (certificates, certificate_fonts):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def certificate_name(record: CompletionRecord, academy: Academy) -> str:
    """Where this version of the record's certificate is kept in the storage. The academy's
    address, contact and logo are printed on the page too, so they name the version."""
    shown = {
        field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields
    }
    issuer = [getattr(academy, name) for name in ("address", "email", "phone", "website")]
    key = json.dumps(
        [
            shown,
            [*issuer, academy.logo.name],
            get_language(),
            certificates.verify_url(record),
            _design_version(),
        ],
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{FOLDER}/{record.pk}/{digest}.pdf"


def stored_certificate_pdf(record: CompletionRecord) -> bytes:
    """The certificate's PDF: from the storage when this version was rendered before.

    Costs one storage read when kept; otherwise renders it (tens of milliseconds) and saves it.
    Two first downloads at once both render; the storage keeps one of the identical files.
    """
    academy = Academy.current()
    name = certificate_name(record, academy)
    try:
        with default_storage.open(name) as handle:
            return handle.read()
    except FileNotFoundError:
        return _rendered_and_kept(record, academy, name)


def _rendered_and_kept(record: CompletionRecord, academy: Academy, name: str) -> bytes:
    pdf = certificates.certificate_pdf(record, academy)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(pdf))
        _delete_kept(record.pk, keep=name)  # earlier versions: nothing serves them again
    return pdf


def keep_certificate_after_response(record: CompletionRecord) -> None:
    """Once this response is out, render the record's certificate unless it is kept already.

    Called by the page a trainee reads after passing (the result page), so the rendering runs
    while they read, not while they wait for a page, and the download is a storage read. The
    record must be read as a download reads it (its own fields), so the file name is the one
    a download looks for. Outside a request nothing is done: the first download renders it.
    """
    language = get_language()
    seen = repr([getattr(record, f.attname) for f in record._meta.concrete_fields] + [language])
    if seen in _looked_after:
        return  # this worker kept it already: spare the page's later views the look

    def job():
        with translation.override(language):
            academy = Academy.current()
            name = certificate_name(record, academy)
            if not default_storage.exists(name):
                _rendered_and_kept(record, academy, name)
        if len(_looked_after) >= 10_000:
            _looked_after.clear()
        _looked_after.add(seen)

    after_response(job)


# The records (as they were, in a language) whose certificate this worker has seen kept. Only
# a shortcut: a file gone since, or an academy changed since, is rendered on the download.
_looked_after: set[str] = set()


def forget_certificates(record_ids) -> None:
    """Delete every kept certificate of these records (once the records are deleted)."""
    for record_id in record_ids:
        _delete_kept(record_id)


def _delete_kept(record_id: int, keep: str = "") -> None:
    folder = f"{FOLDER}/{record_id}"
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for file in files:
        if f"{folder}/{file}" != keep:
            default_storage.delete(f"{folder}/{file}")
