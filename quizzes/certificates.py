"""The completion record as a printed certificate: A4 or US Letter landscape, with a QR code to
its verify page.

It prints what the record snapshotted when it was issued, never a status: a certificate stays on
a wall for years, and only the verify page knows whether the record is still valid today.
"""

import io
from pathlib import Path
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF

from academy.models import Academy
from smptraining.links import absolute_reverse

from .certificate_fonts import COMMON, FACES, FONTS
from .models import CompletionRecord
from .records import format_code

NAVY = (22, 45, 84)
GOLD = (176, 141, 87)
GREY = (85, 85, 85)
DATE_FORMAT = "j F Y"
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def verify_url(record: CompletionRecord) -> str:
    return absolute_reverse("quizzes:verify", args=[record.verification_code])


def linkedin_url(record: CompletionRecord) -> str:
    """LinkedIn's documented "Add to profile" link for a certification, filled in."""
    return f"{LINKEDIN_ADD_TO_PROFILE}?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": record.quiz_title,
            "organizationName": record.issuer_name,
            "issueYear": record.issued_at.year,
            "issueMonth": record.issued_at.month,
            "expirationYear": record.expires_at.year,
            "expirationMonth": record.expires_at.month,
            "certUrl": verify_url(record),
            "certId": record.verification_code,
        }
    )


def study_time(record: CompletionRecord) -> str:
    """The summary of time the record keeps: the course's stated study time and the minutes the
    holder spent in the assessment, those that are known."""
    parts = []
    if record.study_hours is not None:
        hours = f"{float(record.study_hours):g}"
        count = int(record.study_hours) if record.study_hours == int(record.study_hours) else 2
        parts.append(
            ngettext("Study time: %(hours)s hour", "Study time: %(hours)s hours", count)
            % {"hours": hours}
        )
    if record.assessment_minutes is not None:
        parts.append(
            ngettext(
                "Assessment: %(minutes)d minute",
                "Assessment: %(minutes)d minutes",
                record.assessment_minutes,
            )
            % {"minutes": record.assessment_minutes}
        )
    return " · ".join(parts)


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=0, dark=NAVY)
    buffer.seek(0)
    return buffer


def _picture(field: FieldFile) -> bytes | None:
    """A stored picture's bytes, or None when there is none or the storage has lost it."""
    if not field:
        return None
    try:
        with field.storage.open(field.name, "rb") as handle:
            return handle.read()
    except OSError:
        return None


class _Certificate(FPDF):
    def __init__(self, fonts: Path):
        super().__init__(orientation="landscape", unit="mm", format=settings.CERTIFICATE_PAGE_SIZE)
        for family, style, file in FACES:
            self.add_font(family, style, fonts / file)
        self.set_fallback_fonts(["Sans"])  # the sans face has more scripts' glyphs
        self.set_auto_page_break(False)
        self.add_page()

    def lacks_glyphs(self) -> bool:
        """Whether some text drawn so far has a character none of the fonts has."""
        return any(font.missing_glyphs for font in self.fonts.values())

    def line_of(self, text, *, y, size, family="Sans", style="", colour=GREY, x=None, w=None):
        """One centred line in the given box (the page between the frames by default)."""
        self.set_font(family, style, size)
        self.set_text_color(*colour)
        self.set_xy(x if x is not None else 24, y)
        self.cell(w if w is not None else self.w - 48, size * 0.45, text, align="C")

    def fitted_size(self, text, *, family, style, size, width, smallest=12) -> float:
        """The largest size up to `size` at which the text fits the width (long names)."""
        while size > smallest:
            self.set_font(family, style, size)
            if self.get_string_width(text) <= width:
                break
            size -= 1
        return size

    def rule(self, x1, x2, y, *, colour=GOLD, width=0.4):
        self.set_draw_color(*colour)
        self.set_line_width(width)
        self.line(x1, y, x2, y)


def certificate_pdf(record: CompletionRecord, academy: Academy | None = None) -> bytes:
    """Render the certificate of a record on the page size the settings name.

    The labels and month names are in the active language. Queries the academy unless the
    caller has it (one) and reads the logo and the snapshotted signature from the storage.
    """
    academy = academy or Academy.current()
    logo, signature = _picture(academy.logo), _picture(record.trainer_signature)
    pdf = _drawn(record, academy, logo=logo, signature=signature, fonts=COMMON)
    if pdf.lacks_glyphs():  # a script the common cut leaves out: set it all in the full fonts
        pdf = _drawn(record, academy, logo=logo, signature=signature, fonts=FONTS)
    return bytes(pdf.output())


def _drawn(record, academy, *, logo, signature, fonts: Path) -> _Certificate:
    pdf = _Certificate(fonts)
    pdf.set_title(f"{record.quiz_title}: {record.holder_name}")
    pdf.set_author(record.issuer_name)
    width, height = pdf.w, pdf.h
    centre = width / 2

    # A double frame: navy outside, a thin gold line inside.
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(2.2)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.6)
    pdf.rect(12.5, 12.5, width - 25, height - 25)

    if logo is not None:
        pdf.image(io.BytesIO(logo), x=20, y=18, w=34, h=22, keep_aspect_ratio=True)
    pdf.set_char_spacing(1.2)
    pdf.line_of(record.issuer_name.upper(), y=20, size=13, family="Serif", style="B", colour=NAVY)
    pdf.set_char_spacing(0)
    address = " · ".join(line.strip() for line in academy.address.splitlines() if line.strip())
    contact = " · ".join(academy.contact_lines())
    for n, line in enumerate(line for line in (address, contact) if line):
        pdf.line_of(line, y=27 + n * 4.5, size=8)

    title = _("Certificate of Completion")
    pdf.line_of(title, y=44, size=30, family="Serif", style="B", colour=NAVY)
    pdf.rule(centre - 30, centre + 30, 60, width=0.8)
    pdf.line_of(_("This certifies that"), y=66, size=12)
    name_size = pdf.fitted_size(
        record.holder_name, family="Serif", style="B", size=34, width=width - 70
    )
    pdf.line_of(record.holder_name, y=74, size=name_size, family="Serif", style="B", colour=NAVY)
    pdf.rule(centre - 85, centre + 85, 91)
    y = 94
    if record.holder_job_title:
        pdf.line_of(record.holder_job_title, y=y, size=10.5)
    y += 9
    pdf.line_of(
        _("completed the training and passed the assessment, with a score of %(score)s%%, of")
        % {"score": f"{record.score:.0f}"},
        y=y,
        size=11,
    )
    pdf.line_of(record.quiz_title, y=y + 7, size=17, family="Serif", style="B", colour=NAVY)

    topics = " · ".join(t["name"] for t in record.topics)
    pdf.set_font("Sans", "", 9)
    pdf.set_text_color(*GREY)
    pdf.set_xy(45, y + 17)
    pdf.multi_cell(width - 90, 4.6, _("Topics: %(topics)s") % {"topics": topics}, align="C")
    summary = study_time(record)
    if summary:
        pdf.line_of(summary, y=pdf.get_y() + 1.5, size=9)

    # The foot: dates and code on the left, the trainer's signature in the middle, the QR code
    # and where to check the record on the right.
    foot = height - 60
    column = 74
    left = 24
    for n, (label, value, family) in enumerate(
        (
            (_("Date of training"), format_date(record.issued_at, DATE_FORMAT), "Sans"),
            (_("Valid until"), format_date(record.expires_at, DATE_FORMAT), "Sans"),
            (_("Verification code"), format_code(record.verification_code), "Mono"),
        )
    ):
        top = foot + 4 + n * 12
        pdf.set_xy(left, top)
        pdf.set_font("Sans", "", 7.5)
        pdf.set_text_color(*GREY)
        pdf.cell(column, 3.5, label.upper())
        pdf.set_xy(left, top + 4)
        pdf.set_font(family, "B" if family == "Sans" else "", 11 if family == "Sans" else 10)
        pdf.set_text_color(*NAVY)
        pdf.cell(column, 5, value)

    signature_line = height - 34
    if signature is not None:
        pdf.image(
            io.BytesIO(signature),
            x=centre - 30,
            y=signature_line - 19,
            w=60,
            h=18,
            keep_aspect_ratio=True,
        )
    pdf.rule(centre - 38, centre + 38, signature_line, colour=NAVY, width=0.3)
    box = {"x": centre - 50, "w": 100}
    pdf.line_of(
        record.trainer_name or record.issuer_name,
        y=signature_line + 2,
        size=10.5,
        style="B",
        colour=NAVY,
        **box,
    )
    if record.trainer_qualification:
        pdf.line_of(record.trainer_qualification, y=signature_line + 7, size=8.5, **box)
    pdf.line_of(
        _("Trainer in charge") if record.trainer_name else _("For the academy"),
        y=signature_line + 11.5,
        size=7,
        **box,
    )

    url = verify_url(record)
    qr = 30
    right = width - 24 - column
    pdf.image(_qr_png(url), x=right + (column - qr) / 2, y=foot - 2, w=qr, h=qr)
    pdf.set_font("Sans", "", 7)
    pdf.set_text_color(*GREY)
    pdf.set_xy(right, foot + qr)
    pdf.multi_cell(
        column,
        3.2,
        _("Scan the code or open this address to check that the record is still valid:"),
        align="C",
    )
    # On one line when it can be (reaching 6 mm into the margins), so that it reads and types
    # as one address.
    wide = column + 12
    size = pdf.fitted_size(url, family="Sans", style="B", size=7, width=wide, smallest=5)
    pdf.set_font("Sans", "B", size)
    pdf.set_text_color(*NAVY)
    pdf.set_x(right - 6)
    pdf.multi_cell(wide, 3.2, url, align="C")
    return pdf
