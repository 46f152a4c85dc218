"""The academy that issues completion records, and the trainers in charge of its quizzes.

An administrator edits both in the admin; pictures go through Django's storage API. Records
copy what they print (names, qualification, the signature's stored name) when they are issued,
so editing these rows never changes a certificate already issued.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smptraining import rows

PICTURE_EXTENSIONS = ["png", "jpg", "jpeg"]  # what the PDF library embeds as it is
PICTURE_MAX_BYTES = 2 * 1024 * 1024


def validate_picture_size(picture) -> None:
    if picture.size > PICTURE_MAX_BYTES:
        raise ValidationError(
            _("The picture is %(size)s MB; the largest accepted is %(limit)s MB."),
            code="picture_too_large",
            params={
                "size": f"{picture.size / 1024 / 1024:.1f}",
                "limit": PICTURE_MAX_BYTES // 1024 // 1024,
            },
        )


def _fresh_name(folder: str, filename: str) -> str:
    # A fresh name for every upload: a stored picture is never overwritten (an S3 bucket
    # overwrites same-named files by default), so a record that points at it stays as issued.
    return f"{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def logo_name(instance, filename: str) -> str:
    return _fresh_name("academy", filename)


def signature_name(instance, filename: str) -> str:
    return _fresh_name("signatures", filename)


def picture_field(verbose_name, upload_to, help_text):
    return models.ImageField(
        verbose_name,
        upload_to=upload_to,
        blank=True,
        max_length=200,
        validators=[FileExtensionValidator(PICTURE_EXTENSIONS), validate_picture_size],
        help_text=help_text,
    )


class Academy(models.Model):
    """The issuer printed on certificates and shown on verify pages: there is one row."""

    # Always True and unique: the database refuses a second row.
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(
        _("address"), blank=True, help_text=_("Printed on certificates; one line per line.")
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = picture_field(
        _("logo"),
        logo_name,
        _("PNG or JPEG, at most 2 MB; printed at the top left of certificates."),
    )

    class Meta:
        verbose_name = _("academy")
        verbose_name_plural = _("academy")
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="academy_one_row"),
            models.CheckConstraint(condition=~models.Q(name=""), name="academy_name_set"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "Academy":
        """The issuer as an administrator set it, or, before anyone has, as the environment
        names it (CERTIFICATE_ISSUER_*). Every issuer look-up goes through here, the public
        verification's too, so it is read by SQL written once (smptraining/rows.py). One query."""
        return rows.get(cls) or cls.from_settings()  # one row at most (academy_one_row)

    @classmethod
    def from_settings(cls) -> "Academy":
        """The unsaved academy the environment describes; its contact is an email or a phone."""
        contact = settings.CERTIFICATE_ISSUER_CONTACT.strip()
        return cls(
            name=settings.CERTIFICATE_ISSUER_NAME,
            address=settings.CERTIFICATE_ISSUER_ADDRESS,
            email=contact if "@" in contact else "",
            phone="" if "@" in contact else contact,
        )

    def contact_lines(self) -> list[str]:
        """Email, phone and website, those that are set."""
        return [value for value in (self.email, self.phone, self.website) if value]


class Trainer(models.Model):
    """A trainer who may be in charge of a quiz: certificates print their name, qualification
    and signature."""

    name = models.CharField(_("name"), max_length=200)
    qualification = models.CharField(
        _("qualification"),
        max_length=200,
        blank=True,
        help_text=_("As an inspector should read it, e.g. “Registered nurse, BBP instructor”."),
    )
    signature = picture_field(
        _("signature"),
        signature_name,
        _("PNG or JPEG of the handwritten signature, at most 2 MB; a transparent PNG looks best."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="trainer_name_set"),
        ]

    def __str__(self):
        if self.qualification:
            return f"{self.name}, {self.qualification}"
        return self.name

    @classmethod
    def from_settings(cls) -> "Trainer":
        """The trainer the environment names (CERTIFICATE_TRAINER_NAME), for a quiz that has
        none in charge; unsaved, and blank when the environment names nobody."""
        return cls(
            name=settings.CERTIFICATE_TRAINER_NAME,
            qualification=settings.CERTIFICATE_TRAINER_QUALIFICATION,
        )
