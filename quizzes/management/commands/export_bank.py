import json

from django.core.management.base import BaseCommand

from quizzes.exporters import bank_as_json


class Command(BaseCommand):
    help = "Print the whole question bank (topics, study notes, questions, choices) as JSON."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(bank_as_json(), indent=2, ensure_ascii=False))
