from django.core.management.base import BaseCommand

from quizzes.importers import read_json_bank

from ._bank_import import apply_and_report


class Command(BaseCommand):
    help = (
        "Import a question bank in export_bank's JSON shape. New topics and questions are "
        "created; a question whose key exists is left unchanged. The file is checked whole "
        "first: any fault rejects it, naming the place, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        apply_and_report(self, read_json_bank, file)
