"""Who may manage questions, quizzes and records."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import INSTRUCTORS_GROUP, User


@transaction.atomic
def make_instructor(user: User) -> None:
    """Make the user staff and a member of the Instructors group (the group holds the rights)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
