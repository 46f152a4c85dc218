from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes.records import purge_expired_records


class Command(BaseCommand):
    help = (
        "Delete the completion records past their retention date: three years after the "
        "training, and never before the record expires. Their codes are kept in the audit "
        "trail. Run it daily or weekly from cron."
    )

    def handle(self, *args, **options):
        purged = purge_expired_records(now=timezone.now())
        self.stdout.write(f"Deleted {purged} record{'s' if purged != 1 else ''} past retention.")
