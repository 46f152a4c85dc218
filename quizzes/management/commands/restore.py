from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from smptraining.backups import BackupError, check_backup, restore


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup written by the backup command. The "
        "file is checked first: a missing or damaged one changes nothing. Asks before it "
        "starts unless --no-input is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file, e.g. backups/smptraining-….sqlite3")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            check_backup(path)
        except BackupError as error:
            raise CommandError(f"{error} Nothing was restored.") from None
        if options["interactive"]:
            answer = input(
                f"This replaces everything in the database {connection.settings_dict['NAME']} "
                f"with {path}. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled. Nothing was changed.")
        try:
            restore(path)
        except BackupError as error:
            raise CommandError(f"{error} Nothing was restored.") from None
        self.stdout.write(f"Restored {path}.")
