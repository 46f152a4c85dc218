from django.core.management.base import BaseCommand, CommandError

from accounts.instructors import make_instructor
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Promote the user with this email to instructor: staff status and membership of the "
        "Instructors group, which holds the admin permissions instructors need."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            user = User.objects.get_by_natural_key(email)
        except User.DoesNotExist:
            raise CommandError(f"No user has the email address {email!r}.") from None
        make_instructor(user)
        self.stdout.write(f"{user.full_name} <{user.email}> is now an instructor.")
