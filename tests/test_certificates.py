"""The printed certificate, the academy and trainers behind it, and what the record keeps."""

import io
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw

from academy.models import PICTURE_MAX_BYTES, Academy, Trainer
from quizzes.certificates import linkedin_url
from quizzes.models import CompletionRecord
from tests.conftest import pass_quiz
from tests.test_records import pdf_text_and_qr


def png(size=(600, 200), text="Signed", colour=(20, 40, 90)) -> bytes:
    picture = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)
    draw.line([(20, size[1] - 40), (size[0] - 20, 40)], fill=colour, width=8)
    draw.text((30, 30), text, fill=colour)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 0, 0)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.fixture
def academy(db):
    academy = Academy.objects.get()  # made by the migration from CERTIFICATE_ISSUER_NAME
    academy.name = "Northside SMP Academy"
    academy.address = "12 Harbour Street\nPortsmouth PO1 2AB"
    academy.email = "office@northside.example"
    academy.phone = "+44 23 9200 0000"
    academy.website = "https://northside.example"
    academy.logo.save("logo.png", ContentFile(png((400, 300), "NSA")), save=True)
    return academy


@pytest.fixture
def trainer(db):
    trainer = Trainer(name="Tess Trainer", qualification="Registered nurse, BBP instructor")
    trainer.signature.save("signature.png", ContentFile(png()), save=True)
    return trainer


@pytest.fixture
def certification(quiz_factory, trainer):
    return quiz_factory(
        slug="cert",
        purpose="certification",
        title="SMP Safety Certification",
        trainer=trainer,
        study_hours=Decimal("3.5"),
    )


@pytest.fixture
def record(certification, alice, academy):
    pass_quiz(certification, alice)
    return CompletionRecord.objects.get()


def download(client, record):
    client.force_login(record.trainee)
    response = client.get(reverse("quizzes:record_pdf", args=[record.verification_code]))
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_the_record_keeps_what_an_inspector_asks_for(record, certification):
    assert record.holder_name == "Alice Adams"
    assert record.holder_job_title == "SMP practitioner"
    assert record.issuer_name == "Northside SMP Academy"
    assert record.trainer_name == "Tess Trainer"
    assert record.trainer_qualification == "Registered nurse, BBP instructor"
    assert record.trainer_signature.name == certification.trainer.signature.name
    assert record.study_hours == Decimal("3.5")
    assert record.assessment_minutes == 0  # started and submitted in the same minute
    assert [t["name"] for t in record.topics] == ["Topic 1", "Topic 2"]


def test_the_certificate_prints_the_record_and_no_status(client, record, settings):
    settings.SITE_URL = "https://training.example.com"
    text, codes, box = pdf_text_and_qr(download(client, record))
    assert float(box.width) > float(box.height)  # landscape
    for expected in (
        "NORTHSIDE SMP ACADEMY",
        "12 Harbour Street · Portsmouth PO1 2AB",
        "office@northside.example · +44 23 9200 0000 · https://northside.example",
        "Certificate of Completion",
        "Alice Adams",
        "SMP practitioner",
        "SMP Safety Certification",
        "Topic 1 · Topic 2",
        "Study time: 3.5 hours · Assessment: 0 minutes",
        "Tess Trainer",
        "Registered nurse, BBP instructor",
        f"{record.issued_at:%-d %B %Y}",
        f"{record.expires_at:%-d %B %Y}",
        record.verification_code,
    ):
        assert expected in text
    assert "Status" not in text
    assert "Expiring" not in text and "Revoked" not in text and "Expired" not in text
    verify_url = f"https://training.example.com/verify/{record.verification_code}/"
    assert codes == [verify_url]
    assert verify_url in text.replace("\n", "")  # where to check the current status


def test_the_certificate_shows_the_logo_and_the_signature(client, record):
    import pypdf

    page = pypdf.PdfReader(io.BytesIO(download(client, record))).pages[0]
    assert len(page.images) == 3  # logo, signature, QR code


@pytest.mark.parametrize(
    ("page_size", "points"),
    [("A4", (841.89, 595.28)), ("Letter", (792, 612))],
)
def test_the_page_size_follows_the_setting(client, record, settings, page_size, points):
    settings.CERTIFICATE_PAGE_SIZE = page_size
    _, codes, box = pdf_text_and_qr(download(client, record))
    assert (round(float(box.width), 2), round(float(box.height), 2)) == points
    assert len(codes) == 1


def test_a_certificate_without_pictures_still_prints(client, quiz_factory, alice):
    quiz = quiz_factory(slug="bare", purpose="certification", title="Bare Certification")
    pass_quiz(quiz, alice)
    record = CompletionRecord.objects.get()
    text, codes, _ = pdf_text_and_qr(download(client, record))
    assert "Alice Adams" in text and "For the academy" in text
    assert len(codes) == 1


def test_a_lost_picture_does_not_stop_the_certificate(client, record):
    default_storage.delete(record.trainer_signature.name)
    text, _, _ = pdf_text_and_qr(download(client, record))
    assert "Tess Trainer" in text


def test_a_revoked_record_is_not_printed(client, record, instructor):
    from django.utils import timezone

    from quizzes.records import revoke_record

    revoke_record(record_id=record.pk, reason="Fraud", actor=instructor, now=timezone.now())
    client.force_login(record.trainee)
    response = client.get(
        reverse("quizzes:record_pdf", args=[record.verification_code]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("quizzes:my_records")
    assert "its certificate cannot be printed" in response.content.decode()


def test_editing_the_trainer_later_changes_no_record(client, record, trainer, certification):
    signature_when_issued = record.trainer_signature.name
    trainer.name = "Someone Else"
    trainer.qualification = "None"
    trainer.signature.save("new.png", ContentFile(png(text="Other")), save=True)
    record.refresh_from_db()
    assert trainer.signature.name != signature_when_issued
    assert (record.trainer_name, record.trainer_qualification) == (
        "Tess Trainer",
        "Registered nurse, BBP instructor",
    )
    assert record.trainer_signature.name == signature_when_issued
    assert default_storage.exists(signature_when_issued)  # the old picture is still there
    text, _, _ = pdf_text_and_qr(download(client, record))
    assert "Tess Trainer" in text and "Someone Else" not in text


def test_a_quiz_with_no_trainer_in_charge_uses_the_environments(quiz_factory, alice, settings):
    settings.CERTIFICATE_TRAINER_NAME = "Env Trainer"
    settings.CERTIFICATE_TRAINER_QUALIFICATION = "Env qualification"
    pass_quiz(quiz_factory(slug="cert", purpose="certification"), alice)
    record = CompletionRecord.objects.get()
    assert (record.trainer_name, record.trainer_qualification) == (
        "Env Trainer",
        "Env qualification",
    )
    assert not record.trainer_signature


def test_the_migration_made_the_academy_from_the_environment(db, settings):
    assert Academy.objects.get().name == settings.CERTIFICATE_ISSUER_NAME
    assert Academy.current().name == settings.CERTIFICATE_ISSUER_NAME


def test_without_an_academy_row_the_environment_names_the_issuer(db, settings):
    Academy.objects.all().delete()
    settings.CERTIFICATE_ISSUER_NAME = "Fallback Academy"
    assert Academy.current().name == "Fallback Academy"


def test_the_linkedin_link_fills_in_the_certification(record, settings):
    settings.SITE_URL = "https://training.example.com"
    url = urlsplit(linkedin_url(record))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    assert {k: v[0] for k, v in parse_qs(url.query).items()} == {
        "startTask": "CERTIFICATION_NAME",
        "name": "SMP Safety Certification",
        "organizationName": "Northside SMP Academy",
        "issueYear": str(record.issued_at.year),
        "issueMonth": str(record.issued_at.month),
        "expirationYear": str(record.expires_at.year),
        "expirationMonth": str(record.expires_at.month),
        "certUrl": f"https://training.example.com/verify/{record.verification_code}/",
        "certId": record.verification_code,
    }


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(
        make_user("root@example.com", "Root Admin", is_staff=True, is_superuser=True)
    )
    return client


def academy_form(**changes):
    return {
        "name": "Northside SMP Academy",
        "address": "12 Harbour Street",
        "email": "office@northside.example",
        "phone": "",
        "website": "",
        **changes,
    }


def test_an_administrator_edits_the_academy_and_uploads_its_logo(admin_client, db):
    academy = Academy.objects.get()
    url = reverse("admin:academy_academy_change", args=[academy.pk])
    logo = SimpleUploadedFile("Logo.PNG", png((300, 300)), content_type="image/png")
    response = admin_client.post(url, academy_form(logo=logo))
    assert response.status_code == 302
    academy.refresh_from_db()
    assert academy.name == "Northside SMP Academy"
    assert academy.logo.name.startswith("academy/") and academy.logo.name.endswith(".png")
    assert default_storage.exists(academy.logo.name)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("logo.png", b"not a picture at all", content_type="image/png"),
            "Upload a valid image.",
        ),
        (
            SimpleUploadedFile("logo.gif", gif(), content_type="image/gif"),
            "File extension “gif” is not allowed.",
        ),
    ],
)
def test_a_broken_or_unsupported_logo_is_refused_with_a_message(admin_client, db, upload, message):
    academy = Academy.objects.get()
    url = reverse("admin:academy_academy_change", args=[academy.pk])
    response = admin_client.post(url, academy_form(logo=upload))
    assert response.status_code == 200
    assert message in response.content.decode()
    academy.refresh_from_db()
    assert academy.name != "Northside SMP Academy" and not academy.logo


def test_an_oversized_signature_is_refused_with_a_message(admin_client, db):
    noise = Image.frombytes("RGB", (1200, 1200), bytes(range(256)) * (1200 * 1200 * 3 // 256))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    assert buffer.tell() > PICTURE_MAX_BYTES
    upload = SimpleUploadedFile("big.png", buffer.getvalue(), content_type="image/png")
    response = admin_client.post(
        reverse("admin:academy_trainer_add"),
        {"name": "Tess Trainer", "qualification": "", "signature": upload},
    )
    assert response.status_code == 200
    assert "the largest accepted is 2 MB" in response.content.decode()
    assert not Trainer.objects.exists()


def test_there_is_one_academy_never_added_twice_or_deleted(admin_client, db):
    academy = Academy.objects.get()
    assert admin_client.get(reverse("admin:academy_academy_add")).status_code == 403
    delete = reverse("admin:academy_academy_delete", args=[academy.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Academy.objects.count() == 1


def test_an_instructor_cannot_edit_the_academy(instructor_client, db):
    academy = Academy.objects.get()
    url = reverse("admin:academy_academy_change", args=[academy.pk])
    assert instructor_client.get(url).status_code == 403


def test_the_quiz_admin_sets_the_trainer_in_charge(admin_client, certification, trainer):
    html = admin_client.get(reverse("admin:quizzes_quiz_change", args=[certification.pk]))
    assert 'name="trainer"' in html.content.decode()
    assert 'name="study_hours"' in html.content.decode()


def test_the_credential_carries_the_training_record_and_stays_a_valid_badge(client, record):
    import jsonschema

    from tests.test_records import credential_schema

    response = client.get(reverse("quizzes:verify_json", args=[record.verification_code]))
    credential = response.json()
    validator = jsonschema.Draft201909Validator(
        credential_schema(), format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    assert [e.message for e in validator.iter_errors(credential)] == []
    [evidence] = credential["evidence"]
    assert evidence["narrative"].splitlines() == [
        f"Training date: {record.issued_at:%Y-%m-%d}.",
        "Content: Topic 1, Topic 2.",
        "Study time: 3.5 hours.",
        "Time in the assessment: 0 minutes.",
        "Trainer: Tess Trainer, Registered nurse, BBP instructor.",
        "Trainee: Alice Adams, SMP practitioner.",
    ]
    assert credential["issuer"]["name"] == "Northside SMP Academy"
    logo = credential["issuer"]["image"]
    assert logo["type"] == "Image"
    assert logo["id"] == f"http://testserver{Academy.objects.get().logo.url}"
    assert client.get(logo["id"].removeprefix("http://testserver")).status_code == 200


def test_a_page_size_other_than_a4_or_letter_stops_the_start():
    from tests.test_settings import PRODUCTION_ENV, manage

    result = manage("check", env={**PRODUCTION_ENV, "CERTIFICATE_PAGE_SIZE": "Legal"})
    assert result.returncode != 0
    assert "CERTIFICATE_PAGE_SIZE must be 'A4' or 'Letter'" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_an_installed_site_upgrades_with_its_records_filled_in(settings):
    """Migrating a site that has records: the academy and trainer come from the environment,
    quizzes get that trainer, records the minutes of their attempt."""
    from datetime import timedelta

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    settings.CERTIFICATE_ISSUER_NAME = "Old Academy"
    settings.CERTIFICATE_TRAINER_NAME = "Old Trainer"
    settings.CERTIFICATE_TRAINER_QUALIFICATION = "RN"
    executor = MigrationExecutor(connection)
    executor.migrate([("academy", None)])  # and so quizzes back to 0016, which needs none
    executor.loader.build_graph()
    old = executor.loader.project_state([("quizzes", "0016_drawn_insight_cover")]).apps
    user = old.get_model("accounts", "User").objects.create(email="a@example.com", full_name="A")
    quiz = old.get_model("quizzes", "Quiz").objects.create(title="Cert", slug="cert")
    started = timezone.now() - timedelta(hours=1)
    attempt = old.get_model("quizzes", "Attempt").objects.create(
        trainee=user,
        quiz=quiz,
        started_at=started,
        deadline=started + timedelta(minutes=45),
        submitted_at=started + timedelta(minutes=23, seconds=10),
        pass_mark=80,
        topic_floor=0,
        question_count=1,
        score=100,
        passed=True,
    )
    old.get_model("quizzes", "CompletionRecord").objects.create(
        verification_code="x" * 32,
        status_list_index=7,
        trainee=user,
        quiz=quiz,
        attempt=attempt,
        holder_name="A",
        quiz_title="Cert",
        score=100,
        issuer_name="Old Academy",
        issued_at=attempt.submitted_at,
        expires_at=attempt.submitted_at + timedelta(days=365),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from quizzes.models import Quiz

    record = CompletionRecord.objects.get()
    assert record.assessment_minutes == 23
    assert record.issuer_name == "Old Academy" and not record.trainer_signature
    assert Academy.objects.get().name == "Old Academy"
    assert str(Quiz.objects.get().trainer) == "Old Trainer, RN"


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ødegård-Łukasiewicz",  # Latin with its extensions: the common cut
        "Ελένη Παπαδοπούλου",  # Greek: the common cut
        "Nguyễn Thị Ánh",  # Vietnamese: the common cut
        "ნინო ბერიძე",  # Georgian: only the full fonts have it
        "Zoë ნინო",  # a mix: the full fonts
    ],
)
def test_the_holders_name_prints_in_its_own_script(client, make_user, certification, name):
    holder = make_user("holder@example.com", name)
    pass_quiz(certification, holder)
    record = CompletionRecord.objects.get()
    text, _codes, _box = pdf_text_and_qr(download(client, record))
    assert name in text


def test_the_common_fonts_are_the_full_fonts_cut_by_the_committed_ranges(tmp_path):
    from quizzes.certificate_fonts import COMMON, FACES, make_common_fonts

    make_common_fonts(into=tmp_path)
    for _family, _style, file in FACES:
        assert (tmp_path / file).read_bytes() == (COMMON / file).read_bytes(), file
