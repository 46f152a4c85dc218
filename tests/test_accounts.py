import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD

SIGNUP = {
    "email": "carol@example.com",
    "full_name": "Carol  Clark ",
    "job_title": "",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_it_signs_up_an_unverified_trainee_and_emails_the_link(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.url == reverse("accounts:signup_done")
    user = User.objects.get(email="carol@example.com")
    assert user.full_name == "Carol Clark"
    assert user.check_password(PASSWORD)
    assert not user.email_verified
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]
    assert "/accounts/verify-email/" in mail.outbox[0].body
    # Not logged in: logging in straight away would tell a stranger the address was free.
    assert client.get(reverse("home")).context["user"].is_anonymous


def test_sign_up_with_a_taken_email_answers_the_same_and_tells_the_owner(
    client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "ALICE@example.com"})
        free = client.post(reverse("accounts:signup"), SIGNUP)
    assert taken.status_code == free.status_code == 302
    assert taken.url == free.url == reverse("accounts:signup_done")
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    alice.refresh_from_db()
    assert alice.full_name == "Alice Adams" and alice.check_password(PASSWORD)
    notice = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert "Someone tried to create an account" in notice.body
    assert "/verify-email/" not in notice.body


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password2": "another-long-passphrase"}, "password2", "didn’t match"),
        ({"full_name": "   "}, "full_name", "This field is required"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"full_name": "Nul\x00byte"}, "full_name", "Null characters are not allowed"),
        ({"email": "a" * 10_000 + "@example.com"}, "email", "at most 254 characters"),
    ],
)
def test_it_rejects_a_bad_signup_and_creates_no_user(client, alice, change, field, message):
    users_before = User.objects.count()
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert User.objects.count() == users_before


def test_the_database_refuses_two_emails_differing_only_in_case(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("Alice@EXAMPLE.com", PASSWORD, full_name="Other Alice")


def test_it_logs_in_by_email_whatever_its_case(client, alice):
    response = client.post(
        reverse("login"), {"username": "ALICE@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == alice


def test_a_failed_login_does_not_tell_whether_the_email_exists(client, alice):
    known = client.post(reverse("login"), {"username": alice.email, "password": "wrong-pass"})
    unknown = client.post(
        reverse("login"), {"username": "nobody@example.com", "password": "wrong-pass"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "correct email address and password" in known.context["form"].non_field_errors()[0]


def test_login_is_locked_after_five_failures_even_with_the_right_password(client, alice):
    for _ in range(5):
        client.post(reverse("login"), {"username": alice.email, "password": "wrong-pass"})
    response = client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_by_get_does_not_log_out(alice_client, alice):
    response = alice_client.get(reverse("logout"))
    assert response.status_code == 200
    assert alice_client.get(reverse("home")).context["user"] == alice


def test_logout_by_post_logs_out(alice_client):
    response = alice_client.post(reverse("logout"))
    assert response.status_code == 302
    assert not alice_client.get(reverse("home")).context["user"].is_authenticated


def test_logout_needs_the_csrf_token(alice):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    assert csrf_client.post(reverse("logout")).status_code == 403


def test_the_profile_page_edits_the_name_printed_on_records(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:profile"), {"full_name": "Alice B. Adams", "job_title": "Lead artist"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.full_name, alice.job_title) == ("Alice B. Adams", "Lead artist")


def test_the_profile_refuses_an_empty_name(alice_client, alice):
    response = alice_client.post(reverse("accounts:profile"), {"full_name": " ", "job_title": ""})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.full_name == "Alice Adams"


def test_the_profile_sends_anonymous_visitors_to_login(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_works(alice_client, alice):
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-brand-new-passphrase")


def test_password_reset_emails_a_link_that_sets_a_new_password(client, alice):
    client.post(reverse("password_reset"), {"email": "ALICE@example.com"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
    response = client.get(link.strip(), follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "reset-passphrase-2026", "new_password2": "reset-passphrase-2026"},
    )
    alice.refresh_from_db()
    assert alice.check_password("reset-passphrase-2026")


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_make_instructor_gives_staff_status_and_the_instructors_group(alice, capsys):
    call_command("make_instructor", "ALICE@example.com")
    alice.refresh_from_db()
    assert alice.is_staff
    assert alice.is_instructor
    assert not alice.is_superuser
    assert "is now an instructor" in capsys.readouterr().out


def test_make_instructor_names_an_unknown_email(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nobody@example.com"):
        call_command("make_instructor", "nobody@example.com")


def test_instructors_may_view_users_but_not_change_them(instructor):
    assert instructor.has_perm("accounts.view_user")
    assert not instructor.has_perm("accounts.change_user")


def test_demo_accounts_are_created_once_and_printed(settings, db, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")
    assert User.objects.filter(email__endswith="@example.com").count() == 2
    assert User.objects.get(email="instructor@example.com").is_instructor
    assert all(user.email_verified for user in User.objects.all())
    assert "trainee@example.com" in capsys.readouterr().out


def test_demo_accounts_are_refused_in_production(settings, db):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_accounts")
    assert not User.objects.exists()


# --- How passwords are stored ------------------------------------------------------------


@pytest.fixture
def production_hashers(settings):
    """The hashers a deployment uses (the test settings store passwords with fast MD5)."""
    import smptraining.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def test_new_passwords_are_stored_with_argon2id_at_owasp_settings(production_hashers, make_user):
    user = make_user("new@example.com", "New Person")
    algorithm, variant, _version, parameters, _salt, _hash = user.password.split("$")
    assert (algorithm, variant, parameters) == ("argon2", "argon2id", "m=19456,t=2,p=1")
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_an_older_pbkdf2_password_still_logs_in_and_is_stored_anew(
    production_hashers, client, make_user
):
    user = make_user("old@example.com", "Old Account")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
