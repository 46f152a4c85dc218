from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.instructors import make_instructor
from accounts.models import User

DEMO_ACCOUNTS = [
    # email, password, full name, job title, role
    ("trainee@example.com", "trainee-demo-pass", "Alex Trainee", "SMP trainee", "trainee"),
    (
        "instructor@example.com",
        "instructor-demo-pass",
        "Sam Instructor",
        "Clinic educator",
        "instructor",
    ),
]


class Command(BaseCommand):
    help = (
        "Create the demo trainee and instructor with known passwords (development only: refused "
        "unless DJANGO_DEBUG=true or --force), their email addresses counted as verified. Existing "
        "demo accounts keep their passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Create them even in production.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts have public passwords; refusing without DEBUG.")
        self.stdout.write("Log in at /accounts/login/ with one of these demo accounts:")
        for email, password, full_name, job_title, role in DEMO_ACCOUNTS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, password, full_name=full_name, job_title=job_title
                )
            if not user.email_verified:  # the demo addresses receive no mail
                User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
            if role == "instructor":
                make_instructor(user)
            self.stdout.write(f"  {role:<10}  {email:<24}  password: {password}")
