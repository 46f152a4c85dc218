from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smptraining.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database while the site runs (SQLite's online backup "
        "API, or pg_dump's custom format on PostgreSQL) into backups/, named with the date "
        "and time. Bring it back with the restore command."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(Path(settings.BASE_DIR) / "backups"),
            help="Where to write the backup (default: backups/ in the project).",
        )

    def handle(self, *args, **options):
        try:
            path = backup(Path(options["dir"]), now=timezone.now())
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = path.stat().st_size
        self.stdout.write(f"Wrote {path} ({size // 1024} KiB).")
