"""Signing in with Django's ModelBackend, and the signed-in user read by SQL written once.

Every signed-in request reads its user; smptraining/rows.py says why that read is not an ORM
query. Everything else (passwords, permissions, inactive users) is ModelBackend's.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from smptraining.rows import column, columns, fetch_one, instance, table


@cache
def _user_sql() -> str:
    user = get_user_model()
    return (
        f"SELECT {columns(user, 'u')} FROM {table(user, 'u')}"
        f" WHERE {column(user, 'u', user._meta.pk.name)} = %s"
    )


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        """The user signed in to a session, None if gone or made inactive. One query."""
        row = fetch_one(_user_sql(), [user_id])
        if row is None:
            return None
        user = instance(get_user_model(), row)
        return user if self.user_can_authenticate(user) else None
