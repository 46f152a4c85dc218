"""The signed-in user as accounts.backends.UserBackend reads them; sessions kept by the upgrade."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

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


@pytest.mark.django_db(transaction=True)
def test_a_session_signed_in_before_the_upgrade_stays_signed_in(client, alice, rf):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0003_email_verification_and_throttles")])
    old = SessionStore()
    old[SESSION_KEY] = str(alice.pk)
    old[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    old[HASH_SESSION_KEY] = alice.get_session_auth_hash()
    old.create()
    visitor = SessionStore()
    visitor["seen"] = True
    visitor.create()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    request = rf.get("/")
    request.session = SessionStore(old.session_key)
    assert get_user(request) == alice
    assert request.session[BACKEND_SESSION_KEY] == "accounts.backends.UserBackend"
    assert dict(SessionStore(visitor.session_key).items()) == {"seen": True}
