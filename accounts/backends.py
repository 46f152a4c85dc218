"""Signing in with Django's ModelBackend, and the signed-in user read by SQL written once.

Every signed-in request reads its user; smptraining/rows.py says why that read is not an ORM
query. Everything else (passwords, permissions, inactive users) is ModelBackend's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from smptraining import rows


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        """The user signed in to a session, None if gone or made inactive. One query."""
        user = rows.get(get_user_model(), pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
