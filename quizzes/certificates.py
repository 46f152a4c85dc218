"""The completion record as an A4 landscape PDF certificate with a QR code to its verify page."""

import io
from pathlib import Path

import segno
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from fpdf import FPDF

from smptraining.links import absolute_reverse

from .models import CompletionRecord

FONTS = Path(__file__).resolve().parent / "fonts"


def verify_url(record: CompletionRecord) -> str:
    return absolute_reverse("quizzes:verify", args=[record.verification_code])


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer


def certificate_pdf(record: CompletionRecord, *, status: str) -> bytes:
    """Render the certificate. A revoked or expired record says so across the page.

    The printed labels and month names are in the active language.
    """
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"{record.quiz_title}: {record.holder_name}")
    pdf.set_author(record.issuer_name)
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 40

    pdf.set_draw_color(13, 110, 253)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    pdf.set_xy(20, 24)
    pdf.set_font("DejaVu", "B", 26)
    pdf.cell(width, 12, _("Certificate of completion"), align="C")
    pdf.set_xy(20, 42)
    pdf.set_font("DejaVu", "", 13)
    pdf.cell(width, 8, _("This certifies that"), align="C")
    pdf.set_xy(20, 52)
    pdf.set_font("DejaVu", "B", 24)
    pdf.cell(width, 12, record.holder_name, align="C")
    if record.holder_job_title:
        pdf.set_xy(20, 65)
        pdf.set_font("DejaVu", "", 12)
        pdf.cell(width, 7, record.holder_job_title, align="C")
    pdf.set_xy(20, 76)
    pdf.set_font("DejaVu", "", 13)
    passed = _("passed the %(quiz_title)s with a score of %(score)s%%") % {
        "quiz_title": record.quiz_title,
        "score": f"{record.score:.0f}",
    }
    pdf.cell(width, 8, passed, align="C")
    pdf.set_xy(30, 88)
    pdf.set_font("DejaVu", "", 10)
    topics = "; ".join(f"{t['name']} ({float(t['percent']):.0f}%)" for t in record.topics)
    pdf.multi_cell(width - 20, 5.5, _("Topics covered: %(topics)s") % {"topics": topics}, align="C")

    details = [
        (_("Issued:"), format_date(record.issued_at, "d F Y")),
        (_("Expires:"), format_date(record.expires_at, "d F Y")),
        (_("Issued by:"), record.issuer_name),
    ]
    if record.trainer_name:
        trainer = record.trainer_name
        if record.trainer_qualification:
            trainer += f", {record.trainer_qualification}"
        details.append((_("Trainer:"), trainer))
    status_label = str(CompletionRecord.Status(status).label)
    details += [
        (_("Status:"), status_label),
        (_("Verification code:"), record.verification_code),
    ]
    y = 118
    for label, value in details:
        pdf.set_xy(30, y)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(42, 7, label)
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(150, 7, value)
        y += 8

    url = verify_url(record)
    pdf.image(_qr_png(url), x=pdf.w - 78, y=112, w=48, h=48)
    pdf.set_xy(pdf.w - 98, 162)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        88, 4, _("Check this certificate: scan the code or open\n%(url)s") % {"url": url}, align="C"
    )

    if status in (CompletionRecord.Status.EXPIRED, CompletionRecord.Status.REVOKED):
        pdf.set_text_color(220, 53, 69)
        pdf.set_font("DejaVu", "B", 40)
        pdf.set_xy(20, 96)
        pdf.cell(width, 20, status_label.upper(), align="C")
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
