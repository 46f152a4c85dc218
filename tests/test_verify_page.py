"""The public verify page: what a clinic owner or inspector needs to trust a record."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from academy.models import Academy
from quizzes.models import CompletionRecord
from quizzes.records import revoke_record
from tests.conftest import pass_quiz


@pytest.fixture
def certification(quiz_factory):
    return quiz_factory(slug="cert", purpose="certification", title="SMP Safety Certification")


@pytest.fixture
def issuer(settings, db):
    Academy.objects.update(
        name="Northside SMP Academy",
        address="12 Mill Lane\nLeeds LS1 4AB",
        email="records@northside.example",
    )
    settings.CERTIFICATE_TRAINER_NAME = "Dana Trainer"
    settings.CERTIFICATE_TRAINER_QUALIFICATION = "Level 4 Infection Control"


@pytest.fixture
def record(issuer, certification, alice):
    pass_quiz(certification, alice, datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    return CompletionRecord.objects.get()


def verify_page(client, record, now):
    with time_machine.travel(now, tick=False):
        response = client.get(reverse("quizzes:verify", args=[record.verification_code]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_names_the_issuer_with_address_and_contact_and_the_trainer(client, record):
    html = verify_page(client, record, datetime(2026, 4, 1, 14, 5, tzinfo=UTC))
    assert "Northside SMP Academy" in html
    assert "12 Mill Lane<br>Leeds LS1 4AB" in html
    assert "Contact: records@northside.example" in html
    assert "Dana Trainer, Level 4 Infection Control" in html


def test_it_says_when_it_was_checked(client, record):
    html = verify_page(client, record, datetime(2026, 4, 1, 14, 5, tzinfo=UTC))
    assert "Checked on 1 April 2026, 14:05 UTC." in html


@pytest.mark.parametrize(
    ("when", "revoke", "words", "colour", "icon"),
    [
        (
            datetime(2026, 4, 1, tzinfo=UTC),
            False,
            "This record is genuine and current.",
            "alert-success",
            "✓",
        ),
        (datetime(2027, 2, 20, tzinfo=UTC), False, "expires within 30 days", "alert-warning", "✓"),
        (
            datetime(2027, 3, 5, tzinfo=UTC),
            False,
            "genuine but expired on 1 March 2027",
            "alert-danger",
            "✕",
        ),
        (
            datetime(2026, 4, 1, tzinfo=UTC),
            True,
            "revoked by its issuer on 1 April 2026",
            "alert-danger",
            "✕",
        ),
    ],
)
def test_the_status_shows_in_words_colour_and_a_symbol(
    client, record, instructor, when, revoke, words, colour, icon
):
    if revoke:
        revoke_record(record_id=record.pk, reason="Fraud", actor=instructor, now=when)
    html = verify_page(client, record, when)
    status = html[html.index('class="alert') : html.index('<dl class="row verify-details">')]
    assert words in status and colour in status and icon in status
    assert "Fraud" not in html


def test_an_old_record_points_to_its_renewal(client, issuer, certification, alice):
    start = timezone.now() - timedelta(days=400)
    pass_quiz(certification, alice, start)
    pass_quiz(certification, alice, start + timedelta(days=366))
    first, second = CompletionRecord.objects.order_by("issued_at")
    html = verify_page(client, first, timezone.now())
    assert "Renewals: every record of this holder for this quiz" in html
    assert reverse("quizzes:verify", args=[second.verification_code]) in html
    assert f"expires {second.expires_at:%-d %B %Y}, Valid" in html


def test_the_check_form_is_ready_to_include_anywhere(client, db):
    from django.template.loader import render_to_string

    html = render_to_string("quizzes/_verify_form.html", {"code": "smp 1234"})
    assert 'action="/verify/"' in html
    assert '<label for="verify-code"' in html
    assert 'value="smp 1234"' in html


def test_it_shows_the_academys_logo_when_there_is_one(client, record):
    from django.core.files.base import ContentFile

    from tests.test_certificates import png

    html = verify_page(client, record, datetime(2026, 4, 1, tzinfo=UTC))
    assert "verify-logo" not in html
    academy = Academy.objects.get()
    academy.logo.save("logo.png", ContentFile(png((400, 300), "NSA")), save=True)
    html = verify_page(client, record, datetime(2026, 4, 1, tzinfo=UTC))
    assert f'<img src="{academy.logo.url}" alt="" class="verify-logo' in html
    logo = client.get(academy.logo.url)  # served to anyone, like the page
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
