"""Verification codes a person can type from paper, and look-ups limited per client."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts import throttling
from accounts.models import Throttle
from accounts.throttling import Limit
from quizzes import records
from quizzes.models import CompletionRecord
from quizzes.records import format_code, new_verification_code, normalize_code
from tests.conftest import pass_quiz

CODE = "SMP-10K4-M2XD-9RWB"
LEGACY = "Ab-_0lI1Ab-_0lI1Ab-_0lI1Ab-_0lI1"


def test_new_codes_are_three_groups_of_unambiguous_symbols():
    codes = {new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    symbols = "".join(code.removeprefix("SMP-").replace("-", "") for code in codes)
    assert all(re.fullmatch(r"SMP-\w{4}-\w{4}-\w{4}", code) for code in codes)
    assert not set(symbols) & set("ILOU")  # nothing that reads as another symbol
    assert set(symbols) == set(records.CODE_ALPHABET)  # 32 symbols, 12 of them: 60 bits


@pytest.mark.parametrize(
    "typed",
    [
        CODE,
        "smp-10k4-m2xd-9rwb",
        "  SMP 10K4 M2XD 9RWB ",
        "SMP10K4M2XD9RWB",
        "10K4M2XD9RWB",
        "10k4 m2xd 9rwb",
        "SMP–10K4–M2XD–9RWB",  # en dashes, as a PDF reader may copy them
        "smp-lok4-m2xd-9rwb",  # l for 1, o for 0
        "SMP-IOK4-M2XD-9RWB",  # I for 1, O for 0
    ],
)
def test_a_code_is_found_however_it_was_typed(typed):
    assert normalize_code(typed) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "SMP-10K4-M2XD",
        "SMP-10K4-M2XD-9RWBX",
        "SMP-10K4-M2XD-9RWU",
        "SMP-10K4-M2XD-9RW!",
        "é" * 12,
    ],
)
def test_text_that_cannot_be_a_code_is_refused(typed):
    assert normalize_code(typed) is None


def test_an_older_long_code_keeps_its_case_and_its_dashes():
    assert normalize_code(LEGACY) == LEGACY
    assert normalize_code(f" {format_code(LEGACY)} ") == LEGACY  # printed in groups of eight
    assert format_code(LEGACY) == "Ab-_0lI1 Ab-_0lI1 Ab-_0lI1 Ab-_0lI1"
    assert normalize_code(LEGACY.lower()) == LEGACY.lower()  # another code, not this one


def test_a_code_is_shown_in_a_monospace_element_in_its_groups():
    html = Template("{% load record_codes %}{{ code|verification_code }}").render(
        Context({"code": LEGACY})
    )
    assert html == (
        '<code class="verification-code long-code">Ab-_0lI1 Ab-_0lI1 Ab-_0lI1 Ab-_0lI1</code>'
    )


def test_the_form_finds_a_code_typed_in_lower_case_with_spaces(client, record):
    typed = record.verification_code.lower().replace("-", " ")
    response = client.get(reverse("quizzes:verify_form"), {"code": typed})
    assert response.url == reverse("quizzes:verify", args=[record.verification_code])
    page = client.get(response.url).content.decode()
    assert "Valid" in page
    assert f'<code class="verification-code">{record.verification_code}</code>' in page


def test_an_address_typed_in_lower_case_goes_to_the_page_of_the_code(
    client, record, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(f"/verify/{record.verification_code.lower()}/")
    assert response.url == reverse("quizzes:verify", args=[record.verification_code])


def test_a_record_with_an_older_long_code_is_still_found(client, record):
    CompletionRecord.objects.filter(pk=record.pk).update(verification_code=LEGACY)
    url = reverse("quizzes:verify", args=[LEGACY])
    assert url == f"/verify/{LEGACY}/"
    assert b"Alice Adams" in client.get(url).content
    assert client.get(reverse("quizzes:verify_json", args=[LEGACY])).status_code == 200
    assert client.get(reverse("quizzes:verify_form"), {"code": LEGACY}).url == url
    spaced = client.get(reverse("quizzes:verify_form"), {"code": format_code(LEGACY)})
    assert spaced.url == url
    assert client.get(reverse("quizzes:verify_form"), {"code": LEGACY.upper()}).status_code == 404


def test_a_miss_keeps_what_was_typed_in_the_box(client, record):
    response = client.get(reverse("quizzes:verify_form"), {"code": "smp 7kq4 m2xd 9rwz"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "This verification code is not known" in html
    assert 'value="smp 7kq4 m2xd 9rwz"' in html
    garbage = client.get(reverse("quizzes:verify_form"), {"code": "<b>not a code</b>"})
    assert garbage.status_code == 404
    assert 'value="&lt;b&gt;not a code&lt;/b&gt;"' in garbage.content.decode()


# --- Unknown codes limited per client ------------------------------------------------------


@pytest.fixture
def limit_of_three(monkeypatch):
    monkeypatch.setattr(
        throttling, "CODE_MISSES_PER_ADDRESS", Limit("code.address", 3, timedelta(minutes=10))
    )


def test_too_many_unknown_codes_from_one_address_make_every_look_up_wait(
    client, record, limit_of_three
):
    start = timezone.now()
    form = reverse("quizzes:verify_form")
    with time_machine.travel(start, tick=False):
        for typed in ("SMP-0000-0000-0001", "SMP-0000-0000-0002", "SMP-0000-0000-0003"):
            assert client.get(form, {"code": typed}).status_code == 404
        refused = client.get(form, {"code": "smp 0000 0000 0004"})
        assert refused.status_code == 429
        # One try comes back after a third of the 10 minutes.
        assert refused["Retry-After"] == "200"
        html = refused.content.decode()
        assert "Too many unknown codes were checked from your address." in html
        assert "Try again in 4 minutes." in html
        assert 'value="smp 0000 0000 0004"' in html
        # Even the right code waits, on every form of the record: else a 200 would tell a
        # guesser past the limit which of its codes exist.
        assert client.get(form, {"code": record.verification_code}).status_code == 429
        for name in ("verify", "verify_json", "verify_jwt"):
            url = reverse(f"quizzes:{name}", args=[record.verification_code])
            assert client.get(url).status_code == 429
        # Another address has its own count.
        assert client.get(form, {"code": record.verification_code}, REMOTE_ADDR="10.0.0.2").url
    with time_machine.travel(start + timedelta(seconds=200), tick=False):
        assert client.get(form, {"code": record.verification_code}).status_code == 302


def test_known_codes_never_use_up_the_limit(client, record, limit_of_three):
    """A QR code scanned by a whole room behind one address opens for every one of them."""
    url = reverse("quizzes:verify", args=[record.verification_code])
    for _scan in range(10):
        assert client.get(url).status_code == 200
    assert not Throttle.objects.exists()


def test_the_count_is_kept_in_the_database_without_the_address(client, record, limit_of_three):
    client.get(reverse("quizzes:verify", args=["SMP-0000-0000-0001"]))
    client.get(reverse("quizzes:verify_json", args=["SMP-0000-0000-0002"]))
    [counter] = Throttle.objects.all()
    assert counter.tokens == pytest.approx(1, abs=0.01)
    assert "127.0.0.1" not in counter.key


def test_text_that_cannot_be_a_code_costs_no_look_up(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("quizzes:verify_form"), {"code": "hello"})
    assert response.status_code == 404
    assert not Throttle.objects.exists()


# --- Status-list positions drawn at issue --------------------------------------------------


def test_a_record_drawing_a_taken_status_list_position_draws_again(
    certification, alice, bob, monkeypatch
):
    pass_quiz(certification, alice)
    taken = CompletionRecord.objects.get().status_list_index
    draws = iter([[taken], [taken + 1]])
    monkeypatch.setattr(records, "free_status_list_indexes", lambda count: next(draws))
    pass_quiz(certification, bob)
    assert CompletionRecord.objects.get(trainee=bob).status_list_index == taken + 1


def test_a_second_record_for_one_attempt_is_still_refused(record, monkeypatch):
    with pytest.raises(IntegrityError):
        records.issue_record(record.attempt, [])


def test_status_list_positions_are_spread_over_the_whole_list(certification, make_user):
    for n in range(12):
        pass_quiz(certification, make_user(f"t{n}@example.com", f"Trainee {n}"))
    positions = list(CompletionRecord.objects.values_list("status_list_index", flat=True))
    assert len(set(positions)) == 12
    assert max(positions) > 1000  # drawn at random, not counted up from 0


def test_a_full_status_list_refuses_to_issue_rather_than_share_a_bit(record, monkeypatch):
    CompletionRecord.objects.update(status_list_index=0)
    monkeypatch.setattr(records, "STATUS_LIST_SIZE", 2)
    assert records.free_status_list_indexes(1) == [1]
    with pytest.raises(records.RecordRefused, match="status list is full"):
        records.free_status_list_indexes(2)
