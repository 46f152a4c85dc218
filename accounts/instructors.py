"""Who may manage questions, quizzes and records."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from .models import INSTRUCTORS_GROUP, User


@transaction.atomic
def make_instructor(user: User) -> None:
    """Make the user staff and a member of the Instructors group (the group holds the rights)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))


def active_instructors():
    """Every user `User.is_instructor` is true for, as a query (one query when read)."""
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name=INSTRUCTORS_GROUP))
        .distinct()
    )
