import csv
import io
import re
from datetime import timedelta

import jwt
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from quizzes.attempts import AttemptRefused, start_attempt, submit_attempt
from quizzes.exporters import csv_cell
from quizzes.models import AuditLogEntry, CompletionRecord, Quiz
from quizzes.records import issue_record, revoke_record
from tests.conftest import pass_quiz


@pytest.fixture
def certification(quiz_factory):
    return quiz_factory(
        slug="cert",
        purpose="certification",
        max_attempts=2,
        topic_floor=60,
        title="SMP Safety Certification",
    )


def test_passing_a_certification_issues_one_record_with_a_snapshot(record, alice, settings):
    assert record.holder_name == "Alice Adams"
    assert record.holder_job_title == "SMP practitioner"
    assert record.quiz_title == "SMP Safety Certification"
    assert record.score == 100
    assert [t["name"] for t in record.topics] == ["Topic 1", "Topic 2"]
    assert record.issuer_name == settings.CERTIFICATE_ISSUER_NAME
    assert record.expires_at - record.issued_at == timedelta(days=365)
    # 12 symbols of Crockford's base32: 60 random bits
    assert re.fullmatch(r"SMP(-[0-9A-HJKMNP-TV-Z]{4}){3}", record.verification_code)
    alice.full_name = "Alice Renamed"
    alice.save()
    record.refresh_from_db()
    assert record.holder_name == "Alice Adams"


def test_a_second_grading_of_the_same_attempt_issues_no_second_record(record):
    attempt = record.attempt
    submit_attempt(attempt=attempt, now=timezone.now())
    assert CompletionRecord.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        issue_record(attempt, [])


def test_failing_or_practicing_issues_no_record(certification, quiz_factory, alice):
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    submit_attempt(attempt=attempt, now=timezone.now())
    pass_quiz(quiz_factory(slug="practice"), alice)
    assert not CompletionRecord.objects.exists()


def test_a_quiz_with_records_cannot_be_deleted(record):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Quiz.objects.get(slug="cert").delete()


@pytest.mark.parametrize(
    ("days_later", "label"),
    [(0, "Valid"), (340, "Expiring"), (366, "Expired")],
)
def test_my_records_shows_each_status(alice_client, record, days_later, label):
    with time_machine.travel(timezone.now() + timedelta(days=days_later)):
        alice_client.force_login(record.trainee)  # the old session has expired by then
        html = alice_client.get(reverse("quizzes:my_records")).content.decode()
    assert f">{label}</span>" in html
    assert reverse("quizzes:record_pdf", args=[record.verification_code]) in html


def test_my_records_shows_revoked(alice_client, record, instructor):
    revoke_record(record_id=record.pk, reason="Wrong person", actor=instructor, now=timezone.now())
    assert ">Revoked</span>" in alice_client.get(reverse("quizzes:my_records")).content.decode()


def pdf_text_and_qr(content):
    import pypdf
    import zxingcpp

    reader = pypdf.PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    codes = [result.text for image in page.images for result in zxingcpp.read_barcodes(image.image)]
    return page.extract_text(), codes, page.mediabox


def test_the_pdf_certificate_carries_the_record_and_a_qr_code_to_its_page(
    client, make_user, certification, settings
):
    settings.SITE_URL = "https://training.example.com"
    holder = make_user("lukasz@example.com", "Łukasz Żółć")
    pass_quiz(certification, holder)
    record = CompletionRecord.objects.get()
    client.force_login(holder)
    response = client.get(reverse("quizzes:record_pdf", args=[record.verification_code]))
    assert response["Content-Type"] == "application/pdf"
    text, codes, box = pdf_text_and_qr(response.content)
    assert float(box.width) > float(box.height)  # landscape
    for expected in (
        "Łukasz Żółć",
        "SMP Safety Certification",
        "100%",
        f"{record.issued_at:%-d %B %Y}",
        f"{record.expires_at:%-d %B %Y}",
        "SMP SAFETY TRAINING",
        record.verification_code,
    ):
        assert expected in text
    assert codes == [f"https://training.example.com/verify/{record.verification_code}/"]


def test_the_certificate_is_rendered_once_and_then_read_from_the_storage(
    alice_client, record, monkeypatch
):
    from quizzes import certificates

    rendered = []
    render = certificates.certificate_pdf
    monkeypatch.setattr(
        certificates, "certificate_pdf", lambda *a, **kw: rendered.append(1) or render(*a, **kw)
    )
    url = reverse("quizzes:record_pdf", args=[record.verification_code])
    first = alice_client.get(url).content
    second = alice_client.get(url).content
    assert len(rendered) == 1
    assert first == second
    assert "Alice Adams" in pdf_text_and_qr(second)[0]


def test_a_kept_certificate_is_made_again_when_the_record_or_academy_changes(alice_client, record):
    from academy.models import Academy

    url = reverse("quizzes:record_pdf", args=[record.verification_code])
    assert "Alice Adams" in pdf_text_and_qr(alice_client.get(url).content)[0]
    CompletionRecord.objects.filter(pk=record.pk).update(holder_name="Alice Corrected")
    assert "Alice Corrected" in pdf_text_and_qr(alice_client.get(url).content)[0]
    Academy.objects.update(address="99 New Road")
    assert "99 New Road" in pdf_text_and_qr(alice_client.get(url).content)[0]


def kept_certificates(record) -> list[str]:
    from django.core.files.storage import default_storage

    try:
        return default_storage.listdir(f"certificates/{record.pk}")[1]
    except FileNotFoundError:
        return []


def test_a_certificate_made_again_replaces_the_kept_one(alice_client, record):
    url = reverse("quizzes:record_pdf", args=[record.verification_code])
    alice_client.get(url)
    assert len(kept_certificates(record)) == 1
    CompletionRecord.objects.filter(pk=record.pk).update(holder_name="Alice Corrected")
    alice_client.get(url)
    assert len(kept_certificates(record)) == 1  # the old name is not kept anywhere


def test_the_certificate_is_kept_while_the_trainee_reads_the_result(
    certification, alice, client, monkeypatch, settings, tmp_path
):
    """Rendered once the result page has gone out: the first download reads a kept file."""
    from quizzes import certificates
    from tests.conftest import answer_all

    settings.MEDIA_ROOT = tmp_path
    attempt = start_attempt(quiz=certification, trainee=alice, now=timezone.now())
    answer_all(attempt, right=True)
    client.force_login(alice)
    response = client.post(reverse("quizzes:submit", args=[attempt.pk]))
    record = CompletionRecord.objects.get()
    # Not after the submit: the browser asks for the result at once, and would wait on it.
    assert kept_certificates(record) == []
    page = client.get(response.url).content.decode()
    assert record.verification_code in page
    assert len(kept_certificates(record)) == 1

    def no_rendering(*args, **kwargs):
        raise AssertionError("the certificate was rendered again")

    monkeypatch.setattr(certificates, "certificate_pdf", no_rendering)
    client.get(response.url)  # seen again: the kept file is enough
    pdf = client.get(reverse("quizzes:record_pdf", args=[record.verification_code])).content
    assert "Alice Adams" in pdf_text_and_qr(pdf)[0]


def test_later_views_of_the_result_look_for_the_certificate_only_once_the_record_changed(
    certification, alice, alice_client, monkeypatch, settings, tmp_path
):
    from quizzes import certificate_files

    settings.MEDIA_ROOT = tmp_path
    attempt = pass_quiz(certification, alice)
    record = CompletionRecord.objects.get(attempt=attempt)
    url = reverse("quizzes:result", args=[attempt.pk])
    looks = []
    name = certificate_files.certificate_name
    monkeypatch.setattr(
        certificate_files, "certificate_name", lambda *a: looks.append(a) or name(*a)
    )
    alice_client.get(url)
    alice_client.get(url)
    assert len(looks) == 1 and len(kept_certificates(record)) == 1
    CompletionRecord.objects.filter(pk=record.pk).update(holder_name="Alice Corrected")
    alice_client.get(url)
    alice_client.get(url)
    assert len(looks) == 2 and len(kept_certificates(record)) == 1  # the corrected one


def test_the_result_shows_the_certificate_of_the_pass_as_graded(certification, alice, alice_client):
    """The record was issued on the pass the grading stored; the page offers it even were the
    drawn questions' credit changed since."""
    attempt = pass_quiz(certification, alice)
    record = CompletionRecord.objects.get(attempt=attempt)
    attempt.drawn.update(earned=0)
    page = alice_client.get(reverse("quizzes:result", args=[attempt.pk])).content.decode()
    assert record.verification_code in page and "Your certificate is ready" in page


def test_a_certificate_not_kept_yet_is_rendered_on_its_first_download(
    certification, alice, alice_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    record = CompletionRecord.objects.get(attempt=pass_quiz(certification, alice))
    assert kept_certificates(record) == []  # issued by the workflow alone, no page shown
    alice_client.get(reverse("quizzes:record_pdf", args=[record.verification_code]))
    assert len(kept_certificates(record)) == 1


def test_a_purged_record_leaves_no_certificate_behind(
    alice_client, record, django_capture_on_commit_callbacks
):
    from quizzes.records import purge_expired_records

    alice_client.get(reverse("quizzes:record_pdf", args=[record.verification_code]))
    assert kept_certificates(record)
    later = time_machine.travel(record.retain_until + timedelta(days=1), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_records(now=timezone.now()) == 1
    assert kept_certificates(record) == []


def test_a_record_deleted_in_the_admin_leaves_no_certificate_behind(
    alice_client, record, make_user, django_capture_on_commit_callbacks
):
    alice_client.get(reverse("quizzes:record_pdf", args=[record.verification_code]))
    assert kept_certificates(record)
    root = make_user("root@example.com", "Root", is_staff=True, is_superuser=True)
    url = reverse("admin:quizzes_completionrecord_delete", args=[record.pk])
    later = time_machine.travel(record.retain_until + timedelta(days=1), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        alice_client.force_login(root)
        alice_client.post(url, {"post": "yes"})
    assert not CompletionRecord.objects.filter(pk=record.pk).exists()
    assert kept_certificates(record) == []


def test_another_trainees_pdf_is_a_404(client, record, bob):
    client.force_login(bob)
    url = reverse("quizzes:record_pdf", args=[record.verification_code])
    assert client.get(url).status_code == 404


def test_the_verify_page_needs_no_login_and_shows_no_email(client, record):
    html = client.get(reverse("quizzes:verify", args=[record.verification_code])).content.decode()
    assert "Valid" in html
    assert "Alice Adams" in html and "SMP Safety Certification" in html
    assert "alice@example.com" not in html


def test_the_verify_page_shows_a_revocation_but_not_its_reason(client, record, instructor):
    revoke_record(
        record_id=record.pk,
        reason="Certificate obtained by fraud",
        actor=instructor,
        now=timezone.now(),
    )
    html = client.get(reverse("quizzes:verify", args=[record.verification_code])).content.decode()
    assert "Revoked" in html and "revoked by its issuer" in html
    assert "fraud" not in html


def test_an_expired_record_says_expired(client, record):
    with time_machine.travel(record.expires_at + timedelta(days=1)):
        html = client.get(reverse("quizzes:verify", args=[record.verification_code])).content
    assert b"Expired" in html


@pytest.mark.parametrize(
    "code",
    ["x" * 32, "short", "A" * 31, "A" * 33, "has spaces in it, not a code.....", "é" * 32],
)
def test_an_unknown_or_malformed_code_is_a_404_saying_so(client, db, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    assert b"This verification code is not known" in response.content


def test_a_malformed_code_does_not_touch_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/verify/not-a-code/").status_code == 404
        assert client.get("/verify/not-a-code.json").status_code == 404
        # A code with a stray newline is not taken as it stands: it is sent to the code's page.
        assert client.get(f"/verify/{'A' * 32}%0A/").url == f"/verify/{'A' * 32}/"


def test_the_verify_form_sends_to_the_page_of_the_code(client, record):
    response = client.get(reverse("quizzes:verify_form"), {"code": f" {record.verification_code} "})
    assert response.url == reverse("quizzes:verify", args=[record.verification_code])
    assert client.get(reverse("quizzes:verify_form"), {"code": "nope"}).status_code == 404


def test_the_verify_page_runs_a_fixed_number_of_queries(
    client, record, django_assert_max_num_queries
):
    url = reverse("quizzes:verify", args=[record.verification_code])
    # The client's first look-up of a window also opens its count: a savepoint, the insert, its
    # release, and the clearing of ended windows.
    with django_assert_max_num_queries(8):
        client.get(url)
    # the client's look-up count, the record, the chain of records, the academy
    with django_assert_max_num_queries(4):
        client.get(url)


# --- Renewal -----------------------------------------------------------------------------------


def test_a_record_expiring_soon_may_be_renewed_past_the_attempt_limit(certification, alice):
    start = timezone.now()
    pass_quiz(certification, alice, start)
    attempt = start_attempt(quiz=certification, trainee=alice, now=start + timedelta(days=1))
    submit_attempt(attempt=attempt, now=start + timedelta(days=1))  # failed: limit reached
    with pytest.raises(AttemptRefused, match="used all 2 attempts"):
        start_attempt(quiz=certification, trainee=alice, now=start + timedelta(days=2))
    later = start + timedelta(days=340)
    pass_quiz(certification, alice, later)
    first, renewed = CompletionRecord.objects.order_by("issued_at")
    assert renewed.previous == first
    assert renewed.expires_at == later + timedelta(days=365)


def test_the_verify_page_shows_the_chain_of_records(client, certification, alice):
    start = timezone.now() - timedelta(days=400)
    pass_quiz(certification, alice, start)
    pass_quiz(certification, alice, start + timedelta(days=366))
    first, second = CompletionRecord.objects.order_by("issued_at")
    html = client.get(reverse("quizzes:verify", args=[first.verification_code])).content.decode()
    assert "Expired" in html
    assert reverse("quizzes:verify", args=[second.verification_code]) in html


# --- Reminders ---------------------------------------------------------------------------------


def reminders(now):
    out = io.StringIO()
    with time_machine.travel(now):
        call_command("send_expiry_reminders", stdout=out)
    return out.getvalue()


def test_each_expiry_reminder_is_sent_once(record, django_capture_on_commit_callbacks):
    expires = record.expires_at
    with django_capture_on_commit_callbacks(execute=True):
        assert "Sent 0" in reminders(expires - timedelta(days=31))
        assert "Sent 1 " in reminders(expires - timedelta(days=30))
        assert "Sent 0" in reminders(expires - timedelta(days=29))
        assert "Sent 1 " in reminders(expires - timedelta(days=6))
        assert "Sent 1 " in reminders(expires - timedelta(hours=20))
        assert "Sent 0" in reminders(expires - timedelta(hours=10))
    assert [m.subject for m in mail.outbox] == [
        "Your SMP Safety Certification record expires in 30 days",
        "Your SMP Safety Certification record expires in 7 days",
        "Your SMP Safety Certification record expires in 1 day",
    ]
    assert mail.outbox[0].to == ["alice@example.com"]
    assert record.verification_code in mail.outbox[0].body


def test_renewed_and_revoked_records_get_no_reminder(
    record, instructor, certification, alice, django_capture_on_commit_callbacks
):
    revoke_record(record_id=record.pk, reason="Mistake", actor=instructor, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert "Sent 0" in reminders(record.expires_at - timedelta(days=5))
    assert mail.outbox == []


# --- Admin -------------------------------------------------------------------------------------


def admin_action(client, action, records, **extra):
    return client.post(
        reverse("admin:quizzes_completionrecord_changelist"),
        {"action": action, "_selected_action": [r.pk for r in records], **extra},
    )


def test_revoking_asks_for_a_reason_then_records_who_and_when(
    instructor_client, record, instructor
):
    response = admin_action(instructor_client, "revoke", [record])
    assert response.status_code == 200
    assert b"Reason for revoking" in response.content
    record.refresh_from_db()
    assert record.revoked_at is None

    response = admin_action(instructor_client, "revoke", [record], apply="1", reason="")
    assert b"This field is required" in response.content

    admin_action(instructor_client, "revoke", [record], apply="1", reason="Identity fraud")
    record.refresh_from_db()
    assert record.revoked_by == instructor
    assert record.revocation_reason == "Identity fraud"
    entry = AuditLogEntry.objects.get(action="quizzes.record.revoked")
    assert entry.actor == instructor and entry.data["reason"] == "Identity fraud"


def test_a_revocation_cannot_be_edited_afterwards(instructor_client, record, instructor):
    from quizzes.records import RecordRefused

    revoke_record(record_id=record.pk, reason="First", actor=instructor, now=timezone.now())
    with pytest.raises(RecordRefused):
        revoke_record(record_id=record.pk, reason="Second", actor=instructor, now=timezone.now())
    record.refresh_from_db()
    assert record.revocation_reason == "First"
    change_url = reverse("admin:quizzes_completionrecord_change", args=[record.pk])
    instructor_client.post(change_url, {"revocation_reason": "Edited"})
    record.refresh_from_db()
    assert record.revocation_reason == "First"
    entry = AuditLogEntry.objects.get()
    audit_url = reverse("admin:quizzes_auditlogentry_change", args=[entry.pk])
    instructor_client.post(audit_url, {"action": "edited"})
    entry.refresh_from_db()
    assert entry.action == "quizzes.record.revoked"


def test_records_filter_by_status_and_search_by_code(instructor_client, record):
    url = reverse("admin:quizzes_completionrecord_changelist")
    assert instructor_client.get(url, {"status": "valid"}).context["cl"].result_count == 1
    assert instructor_client.get(url, {"status": "revoked"}).context["cl"].result_count == 0
    found = instructor_client.get(url, {"q": record.verification_code})
    assert found.context["cl"].result_count == 1


def test_records_export_as_csv(instructor_client, record):
    response = admin_action(instructor_client, "export_csv", [record])
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "name",
        "job title",
        "quiz",
        "topics",
        "score",
        "issued",
        "expires",
        "status",
        "code",
        "trainer",
    ]
    assert rows[1][:5] == [
        "Alice Adams",
        "SMP practitioner",
        "SMP Safety Certification",
        "Topic 1; Topic 2",
        "100",
    ]
    # A code may start with "-", which the spreadsheet guard escapes like any other cell.
    assert rows[1][7:9] == ["Valid", csv_cell(record.verification_code)]


def test_trainees_cannot_reach_the_records_admin(alice_client, record):
    response = alice_client.get(reverse("admin:quizzes_completionrecord_changelist"))
    assert response.status_code == 302


# --- Open Badges 3.0 ---------------------------------------------------------------------------


def credential_schema():
    import json
    from pathlib import Path

    path = (
        Path(__file__).parent / "data" / "openbadges" / "ob_v3p0_achievementcredential_schema.json"
    )
    return json.loads(path.read_text())


def test_the_credential_is_a_valid_open_badge(client, record):
    import jsonschema

    response = client.get(reverse("quizzes:verify_json", args=[record.verification_code]))
    credential = response.json()
    validator = jsonschema.Draft201909Validator(
        credential_schema(), format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(credential)]
    assert errors == []
    assert "OpenBadgeCredential" in credential["type"]
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"]
    assert record.topics and all(t["name"] in achievement["description"] for t in record.topics)
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert credential["validUntil"].endswith("Z")
    assert "image" not in credential["issuer"]  # no logo set: no broken picture in a wallet


def test_the_signed_credential_verifies_with_the_published_key(client, record):
    token = client.get(reverse("quizzes:verify_jwt", args=[record.verification_code])).content
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["typ"] == "JWT"
    assert header["kid"].startswith("http://testserver/.well-known/jwks.json#")
    jwks = client.get("/.well-known/jwks.json")
    assert jwks["Content-Type"] == "application/jwk-set+json"
    key = jwt.PyJWKSet.from_dict(jwks.json())[header["kid"]]  # found by its id
    claims = jwt.decode(token, key.key, algorithms=["ES256"], options={"verify_aud": False})
    credential = client.get(reverse("quizzes:verify_json", args=[record.verification_code])).json()
    assert claims["jti"] == credential["id"]
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["sub"] == credential["credentialSubject"]["id"]
    assert claims["nbf"] == int(record.issued_at.timestamp())
    assert claims["exp"] == int(record.expires_at.timestamp())
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf", "exp")} == (
        credential
    )


def test_a_tampered_credential_fails_verification(client, record):
    token = client.get(reverse("quizzes:verify_jwt", args=[record.verification_code])).content
    head, payload, signature = token.decode().split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b"Alice", b"Mallory")
    ).decode()
    key = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json()).keys[0]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{forged}.{signature}", key.key, algorithms=["ES256"])


def test_renewal_allows_the_attempt_limit_again_not_unlimited_attempts(certification, alice):
    start = timezone.now()
    pass_quiz(certification, alice, start)
    submit_attempt(
        attempt=start_attempt(quiz=certification, trainee=alice, now=start), now=start
    )  # both attempts used
    window = start + timedelta(days=340)
    for day in (0, 1):  # two failed renewal attempts: the limit of 2 again
        attempt = start_attempt(quiz=certification, trainee=alice, now=window + timedelta(days=day))
        submit_attempt(attempt=attempt, now=window + timedelta(days=day))
    with pytest.raises(AttemptRefused, match="used all 2 attempts"):
        start_attempt(quiz=certification, trainee=alice, now=window + timedelta(days=2))


def test_csv_cells_cannot_run_as_spreadsheet_formulas(instructor_client, certification, make_user):
    holder = make_user("evil@example.com", '=HYPERLINK("http://x.example","click")')
    pass_quiz(certification, holder)
    record = CompletionRecord.objects.get()
    response = admin_action(instructor_client, "export_csv", [record])
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == '\'=HYPERLINK("http://x.example","click")'


def test_my_records_queries_do_not_grow_with_the_records(
    alice_client, alice, certification, django_assert_max_num_queries
):
    start = timezone.now() - timedelta(days=2000)
    for year in range(5):
        pass_quiz(certification, alice, start + timedelta(days=366 * year))
    # session, user, records with their quiz
    with django_assert_max_num_queries(3):
        response = alice_client.get(reverse("quizzes:my_records"))
    assert response.content.decode().count("Download PDF") == 5


# --- One rule for the attempt limit and the record status -------------------------------------


def quiz_list_attempts_left(client, quiz):
    """The 'Attempts left' the quiz list shows for this quiz."""
    html = client.get(reverse("quizzes:quiz_list")).content.decode()
    card = html[html.index(f'id="quiz-{quiz.pk}"') :]
    return re.search(r"Attempts left</dt>\s*<dd[^>]*>(\w+)</dd>", card).group(1)


def test_the_quiz_list_counts_attempts_as_starting_does_inside_the_renewal_window(
    alice_client, certification, alice
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        pass_quiz(certification, alice, start)
        submit_attempt(
            attempt=start_attempt(quiz=certification, trainee=alice, now=start), now=start
        )
        assert quiz_list_attempts_left(alice_client, certification) == "0"
    window = start + timedelta(days=340)
    with time_machine.travel(window, tick=False):
        alice_client.force_login(alice)  # the first session has long expired
        assert quiz_list_attempts_left(alice_client, certification) == "2"
        submit_attempt(
            attempt=start_attempt(quiz=certification, trainee=alice, now=window), now=window
        )
        assert quiz_list_attempts_left(alice_client, certification) == "1"


@pytest.mark.parametrize(
    ("days_later", "revoke", "status"),
    [(1, False, "valid"), (340, False, "expiring"), (366, False, "expired"), (1, True, "revoked")],
)
def test_every_view_of_a_record_agrees_on_its_status(
    instructor_client, record, instructor, days_later, revoke, status
):
    if revoke:
        revoke_record(record_id=record.pk, reason="Cheated", actor=instructor, now=timezone.now())
    label = CompletionRecord.Status(status).label
    with time_machine.travel(record.issued_at + timedelta(days=days_later)):
        instructor_client.force_login(instructor)
        now = timezone.now()
        assert record.status(now) == status
        assert CompletionRecord.objects.with_status(now).get().current_status == status
        admin_url = reverse("admin:quizzes_completionrecord_changelist")
        assert instructor_client.get(admin_url, {"status": status}).context["cl"].result_count == 1
        csv_rows = list(
            csv.reader(
                io.StringIO(
                    admin_action(instructor_client, "export_csv", [record]).content.decode()
                )
            )
        )
        assert csv_rows[1][7] == label
        gradebook = instructor_client.get(reverse("insight:gradebook"), {"record": status})
        assert [row["record_status"] for row in gradebook.context["page"]] == [label]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Bob;=1+1;x", "Bob;'=1+1;x"),
        ("Bob,=1+1", "Bob,'=1+1"),
        ("Bob\t+1", "Bob\t'+1"),
        ("a|@SUM(A1)", "a|'@SUM(A1)"),
        ('x; "=cmd"', 'x; "\'=cmd"'),
        ("line\n-2+3", "line\n'-2+3"),
        ("=1+1", "'=1+1"),
        ("\tstarts with a tab", "'\tstarts with a tab"),
        ("Anne-Marie O'Neil", "Anne-Marie O'Neil"),
        ("Infection control; Aftercare", "Infection control; Aftercare"),
    ],
)
def test_no_cell_can_start_a_formula_after_any_separator(text, safe):
    assert csv_cell(text) == safe


def test_every_csv_cell_is_quoted(instructor_client, certification, make_user):
    holder = make_user("semi@example.com", "Bob;=1+1;x")
    pass_quiz(certification, holder)
    record = CompletionRecord.objects.get()
    content = admin_action(instructor_client, "export_csv", [record]).content.decode()
    header, row = content.splitlines()[:2]
    assert header.startswith('"name","job title",')
    assert row.startswith('"Bob;\'=1+1;x",')
    # Read with ';' as the separator, as a spreadsheet in such a locale would: no cell is a formula.
    cells = [cell for line in content.splitlines() for cell in line.replace('"', "").split(";")]
    assert not [cell for cell in cells if cell.lstrip()[:1] in ("=", "+", "-", "@")]
