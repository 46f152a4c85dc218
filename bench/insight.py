"""Time the instructor pages on a large cohort: median of 5 runs after one warm-up.

Usage (from the project root; the database in DATABASE_URL is filled if it has no attempts):
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/insight.py
    DATABASE_URL=postgres://... .venv/bin/python bench/insight.py --trainees 10000
With --profile, also print a pyinstrument profile of three requests of each instructor page
that reads the responses (item analysis, cohort mastery).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smptraining.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.instructors import make_instructor  # noqa: E402
from accounts.models import User  # noqa: E402
from quizzes.models import Attempt, DrawnQuestion, Quiz  # noqa: E402
from quizzes.safety_bank import CERTIFICATION_SLUG  # noqa: E402

RUNS = 5


def timed(client, url, params=None):
    client.get(url, params)  # warm-up
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return statistics.median(times), statistics.median(cpu), len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=10000)
    parser.add_argument("--attempts-per-trainee", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Attempt.objects.exists():
        call_command(
            "generate_load_data",
            trainees=args.trainees,
            attempts_per_trainee=args.attempts_per_trainee,
        )
    instructor, _ = User.objects.get_or_create(
        email="bench-instructor@example.com", defaults={"full_name": "Bench Instructor"}
    )
    make_instructor(instructor)
    client = Client(SERVER_NAME="localhost")
    settings.ALLOWED_HOSTS = ["*"]
    client.force_login(instructor)
    quiz = Quiz.objects.get(slug=CERTIFICATION_SLUG)
    print(
        f"database: {connection.vendor}; {Attempt.objects.count()} attempts, "
        f"{DrawnQuestion.objects.count()} responses"
    )
    pages = [
        ("item analysis (certification)", reverse("insight:item_analysis", args=[quiz.pk]), None),
        ("gradebook, first page", reverse("insight:gradebook"), None),
        (
            "gradebook, sorted by best score",
            reverse("insight:gradebook"),
            {"sort": "best", "dir": "desc"},
        ),
        (
            "gradebook, passed + valid record",
            reverse("insight:gradebook"),
            {"passed": "yes", "record": "valid"},
        ),
        ("gradebook, search", reverse("insight:gradebook"), {"q": "00042"}),
        ("cohort mastery", reverse("insight:cohort"), None),
    ]
    for name, url, params in pages:
        seconds, cpu, queries = timed(client, url, params)
        # This process's CPU time says more than the clock on a busy machine; on SQLite it
        # includes the queries, on PostgreSQL only the Python side.
        print(
            f"{name:<36} median {seconds * 1000:8.1f} ms  "
            f"(CPU here {cpu * 1000:7.1f} ms; {queries} queries)"
        )
    if args.profile:
        for name, url, params in (pages[0], pages[-1]):
            profile(client, name, url, params)


def profile(client, name, url, params):
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(3):
            client.get(url, params)
    print(f"\n=== profile: {name}, 3 requests ===")
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
