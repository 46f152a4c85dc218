"""Login throttling behind proxies, password spraying, and limits on sign-up and reset emails."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Throttle, User
from smptraining.clients import client_address
from tests.conftest import PASSWORD

LOGIN = reverse("login")
NETWORK_REFUSAL = "Too many failed log-ins have come from your network"
ACCOUNT_REFUSAL = "This account has had too many failed log-ins"


def login(client, email, password, address="198.51.100.7", **headers):
    return client.post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def form_errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


# --- The client's address ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "203.0.113.5", "10.0.0.1"),  # no proxy configured: the header is the client's word
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "9.9.9.9, 203.0.113.5", "203.0.113.5"),  # a forged entry on the left is ignored
        (1, "1.1.1.1, 2.2.2.2, 3.3.3.3, 203.0.113.5", "203.0.113.5"),
        (2, "9.9.9.9, 203.0.113.5, 192.0.2.44", "203.0.113.5"),
        (1, "2001:db8::7", "2001:db8::7"),
        (1, None, "10.0.0.1"),  # reached the site without its proxy: the connecting address
        (2, "203.0.113.5", "10.0.0.1"),  # fewer entries than proxies: nothing to trust
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_is_read_behind_the_configured_proxies(
    settings, proxies, forwarded_for, expected
):
    settings.DJANGO_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)
    assert client_address(request) == expected


# --- Per account and address (django-axes) ----------------------------------------------------


def test_five_failures_lock_the_account_from_that_address_only(client, alice):
    for _ in range(5):
        login(client, alice.email, "wrong-pass", address="198.51.100.7")
    locked = login(client, alice.email, PASSWORD, address="198.51.100.7")
    assert locked.status_code == 429
    assert not logged_in(client)
    # Alice, elsewhere, is not locked out by a stranger's guesses.
    assert login(client, alice.email, PASSWORD, address="203.0.113.9").status_code == 302
    assert logged_in(client)


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(client, alice, settings):
    settings.DJANGO_PROXY_COUNT = 1
    for n in range(5):
        # The attacker changes the forged part of the header each time; the proxy's entry stays.
        forwarded = f"10.9.9.{n}, 203.0.113.66"
        login(client, alice.email, "wrong-pass", address="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    attacker = login(
        client, alice.email, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66"
    )
    assert attacker.status_code == 429
    # Alice comes through the same proxy from her own address and logs in.
    owner = login(
        client, alice.email, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20"
    )
    assert owner.status_code == 302


# --- Per address across accounts, per account across addresses ---------------------------------


def test_password_spraying_from_one_address_is_stopped(client, alice):
    for n in range(30):
        login(client, f"victim{n}@example.com", "Summer2026!", address="198.51.100.7")
    sprayed = login(client, alice.email, PASSWORD, address="198.51.100.7")
    assert sprayed.status_code == 200
    assert NETWORK_REFUSAL in form_errors(sprayed)
    assert not logged_in(client)
    assert login(client, alice.email, PASSWORD, address="203.0.113.9").status_code == 302


def test_failures_on_one_account_from_many_addresses_stop_at_fifty_an_hour(client, alice):
    for n in range(49):
        login(client, alice.email, "wrong-pass", address=f"198.51.{n}.1")
    assert login(client, alice.email, PASSWORD, address="203.0.113.9").status_code == 302
    client.logout()
    for n in range(50):
        login(client, alice.email, "wrong-pass", address=f"192.0.{n}.1")
    refused = login(client, alice.email, PASSWORD, address="203.0.113.10")
    assert ACCOUNT_REFUSAL in form_errors(refused)
    assert not logged_in(client)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert login(client, alice.email, PASSWORD, address="203.0.113.10").status_code == 302


def test_a_refused_login_is_not_even_tried_and_counts_nothing_more(client, alice):
    for n in range(30):
        login(client, f"victim{n}@example.com", "wrong", address="198.51.100.7")
    tokens = dict(Throttle.objects.values_list("key", "tokens"))
    login(client, alice.email, "wrong", address="198.51.100.7")
    assert dict(Throttle.objects.values_list("key", "tokens")) == tokens


def test_a_successful_login_spends_nothing(client, alice):
    for _ in range(3):
        assert login(client, alice.email, PASSWORD).status_code == 302
        client.logout()
    assert not Throttle.objects.exists()


# --- Odd input on both login forms --------------------------------------------------------------

ODD_USERNAMES = [
    "a" * 300 + "@example.com",
    "b" * 10_000,
    "nul\x00byte@example.com",
    "１２３@例え.テスト",
    "\u202eevil@example.com",
    "",
]


@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")])
@pytest.mark.parametrize("username", ODD_USERNAMES)
def test_odd_usernames_get_the_forms_error_never_a_500(client, alice, url, username):
    response = client.post(url, {"username": username, "password": "x" * 10_000})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not logged_in(client)


@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")])
@pytest.mark.parametrize("password", ["nul\x00", "\U0001f600" * 2000, ""])
def test_odd_passwords_get_the_forms_error_never_a_500(client, alice, url, password):
    response = client.post(url, {"username": alice.email, "password": password})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not logged_in(client)


@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")])
def test_an_over_long_email_is_refused_before_authentication(client, alice, url):
    response = client.post(url, {"username": "a" * 300 + "@example.com", "password": "x"})
    assert "at most 254 characters" in " ".join(response.context["form"].errors["username"])
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("url", [reverse("login"), reverse("admin:login")])
def test_missing_fields_get_the_forms_error(client, db, url):
    response = client.post(url, {})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors


def test_the_admin_login_is_throttled_like_the_site_login(client, instructor):
    for n in range(30):
        client.post(
            reverse("admin:login"),
            {"username": f"victim{n}@example.com", "password": "x"},
            REMOTE_ADDR="198.51.100.7",
        )
    response = client.post(
        reverse("admin:login"),
        {"username": instructor.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert NETWORK_REFUSAL in form_errors(response)


# --- Sign-up and password reset ----------------------------------------------------------------


def signup(client, n, address="198.51.100.7"):
    data = {
        "email": f"new{n}@example.com",
        "full_name": f"New Trainee {n}",
        "job_title": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(reverse("accounts:signup"), data, REMOTE_ADDR=address)


def test_sign_ups_are_limited_per_address(client, db):
    for n in range(10):
        assert signup(client, n).status_code == 302
    refused = signup(client, 10)
    assert refused.status_code == 200
    assert "Too many sign-ups have come from your network" in form_errors(refused)
    assert User.objects.count() == 10
    assert signup(client, 11, address="203.0.113.9").status_code == 302


def test_password_reset_emails_are_limited_per_email_without_saying_so(client, alice):
    for n in range(5):
        response = client.post(
            reverse("password_reset"), {"email": alice.email}, REMOTE_ADDR=f"198.51.100.{n}"
        )
        assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 3


def test_password_reset_requests_are_limited_per_address(client, alice):
    for n in range(10):
        client.post(reverse("password_reset"), {"email": f"someone{n}@example.com"})
    refused = client.post(reverse("password_reset"), {"email": alice.email})
    assert refused.status_code == 200
    assert "Too many reset requests" in form_errors(refused)
    assert mail.outbox == []


def test_clear_throttles_deletes_only_refilled_counters(client, alice, capsys):
    from django.core.management import call_command

    login(client, alice.email, "wrong", address="198.51.100.7")
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        login(client, "bob@example.com", "wrong", address="203.0.113.9")
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        call_command("clear_throttles")
    assert "Deleted 2 refilled throttle counter(s)." in capsys.readouterr().out
    assert Throttle.objects.count() == 2  # bob's and 203.0.113.9's, 31 minutes old
