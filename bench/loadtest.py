"""Load test: 200 trainees take the certification at once on PostgreSQL (`make loadtest`).

Run inside a throwaway PostgreSQL (`.ci/with-postgres`, which sets DATABASE_URL). It prepares
the database (the safety bank, one account per simulated trainee), serves the site with
gunicorn (5 sync workers: 2 per core + 1), runs bench/locustfile.py headless, and then checks
the database: every answer each simulated trainee gave is there, every attempt was graded,
every trainee has a record. The figures go to BENCHMARKS.md.

Usage: .ci/with-postgres .venv/bin/python bench/loadtest.py [--users 200] [--think 5,15]
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
START_MARK = "<!-- load test: start (written by bench/loadtest.py) -->"
END_MARK = "<!-- load test: end -->"
GOAL_P95_MS = 250


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(users: int) -> list[list[str]]:
    """Migrate, load the bank and make one account per simulated trainee."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User

    call_command("migrate", verbosity=0)
    call_command("load_safety_bank", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    password = secrets.token_urlsafe(12)
    hashed = make_password(password)
    accounts = [[f"trainee{n:04d}@example.com", password] for n in range(users)]
    now = timezone.now()  # verified addresses: records are issued only to those
    User.objects.bulk_create(
        [
            User(email=email, full_name=f"Trainee {n:04d}", password=hashed, email_verified_at=now)
            for n, (email, _) in enumerate(accounts)
        ]
    )
    return accounts


def check_answers(answers: dict) -> dict:
    """Compare what the trainees posted with what the database holds, answer by answer."""
    from quizzes.models import Attempt, CompletionRecord, DrawnQuestion

    expected = {(int(a), int(p)): mask for a, given in answers.items() for p, mask in given.items()}
    stored = {
        (row["attempt_id"], row["position"]): row["selected"]
        for row in DrawnQuestion.objects.filter(attempt_id__in={a for a, _ in expected}).values(
            "attempt_id", "position", "selected"
        )
    }
    return {
        "answers given": len(expected),
        "answers stored as given": sum(1 for k, mask in expected.items() if stored.get(k) == mask),
        "questions drawn": len(stored),
        "attempts graded": Attempt.objects.filter(pk__in={a for a, _ in expected})
        .exclude(submitted_at=None)
        .count(),
        "records issued": CompletionRecord.objects.filter(
            attempt_id__in={a for a, _ in expected}
        ).count(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument(
        "--think", default="5,15", help="seconds of thought per question and page read: min,max"
    )
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "Run it on PostgreSQL: make loadtest (or .ci/with-postgres ... bench/loadtest.py)."
        )
    workdir = Path(tempfile.mkdtemp(prefix="smp-load-"))
    port = free_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.loadtest_settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "SITE_URL": f"http://127.0.0.1:{port}",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_ROOT": str(workdir / "static"),
        }
    )
    os.environ.pop("DJANGO_DEBUG", None)
    print(f"Preparing {args.users} accounts and the bank...", flush=True)
    accounts = prepare(args.users)
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "smptraining.wsgi",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(4 * args.workers):  # every worker imports its code and templates first
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=120).read()
        answers_file = workdir / "answers.json"
        env = {
            **os.environ,
            "LOADTEST_ACCOUNTS": json.dumps(accounts),
            "LOADTEST_ANSWERS": str(answers_file),
            "LOADTEST_THINK": args.think,
        }
        print(f"Running {args.users} trainees (spawn rate {args.spawn_rate}/s)...", flush=True)
        started = time.monotonic()
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-H",
                f"http://127.0.0.1:{port}",
                "--run-time",
                "30m",
                "--csv",
                str(workdir / "stats"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
        )
        duration = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    with open(workdir / "stats_stats.csv") as handle:
        rows = list(csv.DictReader(handle))
    with open(answers_file) as handle:
        result = json.load(handle)
    checked = check_answers(result["answers"])
    errors = sum(int(r["Failure Count"]) for r in rows if r["Name"] == "Aggregated")
    with open(workdir / "stats_exceptions.csv") as handle:
        exceptions = list(csv.DictReader(handle))
    lines = [
        "| request | count | failures | median ms | p95 ms | p99 ms | max ms | goal p95 < 250 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    missed = []
    for r in rows:
        p95 = float(r["95%"])
        ok = r["Name"] == "Aggregated" or p95 < GOAL_P95_MS
        if not ok:
            missed.append(r["Name"])
        lines.append(
            f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} "
            f"| {r['Median Response Time']} | {r['95%']} | {r['99%']} "
            f"| {float(r['Max Response Time']):.0f} | "
            f"{'' if r['Name'] == 'Aggregated' else ('met' if ok else 'MISSED')} |"
        )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    text = "\n".join(
        [
            "## 200 trainees at once on PostgreSQL (`make loadtest`)",
            "",
            f"Last run {when}: {os.cpu_count()} cores, load average {load:.1f} at the end (the "
            f"machine is shared); gunicorn {args.workers} sync workers, PostgreSQL (throwaway, "
            f"`fsync=off`), Locust in the same machine. {args.users} trainees, spawned "
            f"{args.spawn_rate}/s, think time {args.think.replace(',', '–')} s per question "
            f"and on the review and result pages; each logs in, opens the quiz list and the "
            f"certification, starts it, answers every question (one in ten changes its mind "
            f"first), reviews, submits, reads the result, then opens its records and downloads "
            f"its certificate. {duration:.0f} s in all.",
            "",
            *lines,
            "",
            f"Trainees who finished: {result['finished']} of {args.users}. "
            f"Failed requests: {errors}; errors in the flow: "
            f"{sum(int(e['Occurrences']) for e in exceptions)}.",
            "Database afterwards: " + ", ".join(f"{k} {v}" for k, v in checked.items()) + ".",
        ]
    )
    print()
    print(text)
    for e in exceptions:
        print(f"  {e['Occurrences']} × {e['Message']}")
    if not args.no_write:
        from bench.pages import write_section

        write_section(text, START_MARK, END_MARK)
        print(f"\nWritten to {BENCHMARKS.relative_to(ROOT)}.")
    good = (
        not errors
        and not exceptions
        and result["finished"] == args.users
        and checked["answers given"] == checked["answers stored as given"]
        and not missed
    )
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
