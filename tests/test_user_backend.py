"""The signed-in user as accounts.backends.UserBackend reads them; sessions kept by the upgrade."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.backends import UserBackend
from smptraining.sessions import SessionStore
from tests.conftest import PASSWORD


def test_the_signed_in_user_reads_as_the_orm_reads_them(alice):
    read, orm = UserBackend().get_user(alice.pk), ModelBackend().get_user(alice.pk)
    values = {f.attname: getattr(read, f.attname) for f in type(read)._meta.concrete_fields}
    assert values == {f.attname: getattr(orm, f.attname) for f in type(orm)._meta.concrete_fields}
    assert [type(v) for v in values.values()] == [
        type(getattr(orm, f.attname)) for f in type(orm)._meta.concrete_fields
    ]
    assert read.check_password(PASSWORD)


def test_a_user_made_inactive_or_deleted_is_signed_out(client, alice, bob):
    client.force_login(alice)
    assert client.get(reverse("home")).context["user"] == alice
    alice.is_active = False
    alice.save()
    assert client.get(reverse("home")).context["user"].is_anonymous
    client.force_login(bob)
    bob.delete()
    assert client.get(reverse("home")).context["user"].is_anonymous


def signed_in_session(user, backend: str, **expiry) -> SessionStore:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(expiry.get("seconds", 3600))
    session.create()
    return session


@pytest.mark.django_db(transaction=True)
def test_a_session_signed_in_before_the_upgrade_stays_signed_in(alice, rf):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("accounts", "0003_email_verification_and_throttles")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    live = signed_in_session(alice, "django.contrib.auth.backends.ModelBackend")
    ended = signed_in_session(alice, "django.contrib.auth.backends.ModelBackend")
    Session.objects.filter(session_key=ended.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    ended_data = Session.objects.get(session_key=ended.session_key).session_data
    visitor = SessionStore()
    visitor["seen"] = True
    visitor.create()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    request = rf.get("/")
    request.session = SessionStore(live.session_key)
    assert get_user(request) == alice
    assert request.session[BACKEND_SESSION_KEY] == "accounts.backends.UserBackend"
    assert dict(SessionStore(visitor.session_key).items()) == {"seen": True}
    assert Session.objects.get(session_key=ended.session_key).session_data == ended_data

    executor.loader.build_graph()
    executor.migrate(before)  # and back: the old code would find its backend again
    backend = SessionStore(live.session_key)[BACKEND_SESSION_KEY]
    assert backend == "django.contrib.auth.backends.ModelBackend"
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
