"""Profile one page with pyinstrument: many requests through the whole Django stack.

Runs with production settings on a throwaway SQLite database (filled by bench/data.py), through
Django's test client, so middleware, sessions, queries, templates and connection handling are
all in the profile. Prints the call tree and writes an HTML profile.

Usage: .venv/bin/python bench/profile.py question [--requests 300] [--html /tmp/profile.html]
Pages: question, answer_save, quiz_list, history, result, my_records, verify, pdf, verify_json.
"""

import argparse
import os
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
workdir = Path(
    tempfile.mkdtemp(
        prefix="smp-profile-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    )
)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "smptraining.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": "http://127.0.0.1:8000",
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
    }
)
os.environ.pop("DJANGO_DEBUG", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from bench.data import make_data  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--html", default="")
    args = parser.parse_args()
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    data = make_data()
    public = args.page in ("verify", "verify_json")
    busy = args.page in ("question", "answer_save")
    client = Client(SERVER_NAME="127.0.0.1")
    if not public:
        client.cookies["sessionid"] = data["busy_session" if busy else "done_session"]
    url = data["question" if args.page == "answer_save" else args.page]
    if args.page == "answer_save":
        client = Client(SERVER_NAME="127.0.0.1", enforce_csrf_checks=True)
        client.cookies["sessionid"] = data["busy_session"]
        html = client.get(url).content.decode()
        token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

        def request(n):
            body = {"csrfmiddlewaretoken": token, "go": "next", "choice": str(n % 2 + 1)}
            return client.post(url, body)
    else:

        def request(n):
            return client.get(url)

    for n in range(20):  # warm-up: templates, translations, URL resolver
        response = request(n)
        assert response.status_code in (200, 302), response.status_code
    print(f"{args.page}: {len(getattr(response, 'content', b''))} bytes")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for n in range(args.requests):
        request(n)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
