from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes.records import send_instructor_digest


class Command(BaseCommand):
    help = (
        "Email every instructor the completion records that expire within the next 30 days "
        "and those that expired in the last 30 days without renewal, each record once as "
        "expiring and once as expired (revoked records are left out). Run it weekly from cron."
    )

    def handle(self, *args, **options):
        announced = send_instructor_digest(timezone.now())
        self.stdout.write(
            f"Announced {announced['expiring']} expiring and {announced['expired']} expired "
            "record(s) to the instructors."
        )
