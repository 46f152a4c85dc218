"""Requests per second of the trainee pages, as a ratio to Django's own bare view.

`make bench` runs this. It makes, in a temporary folder:
- "plain bare": a project from `django-admin startproject` with Django's default settings
  (DEBUG turned off, 127.0.0.1 allowed) and one `login_required` view returning "ok";
- our site with production settings on a throwaway SQLite database holding the safety bank, a
  trainee with a certification in progress and one with graded attempts and a completion record,
  served beside two reference pages (bench/reference_urls.py): our bare view, and the question
  page's queries without its template.

Both are served by gunicorn (2 sync workers each) on 127.0.0.1 and measured with wrk
(-t2 -c8), round by round: each round measures plain bare, then every page, then plain bare
again, so a slow minute of a shared machine weighs on both sides of a ratio. The machine's
speed swings between runs; the ratios are the figures. The table goes to BENCHMARKS.md.

Usage: .venv/bin/python bench/pages.py [--rounds 3] [--seconds 5] [--no-write] [--page NAME]...
(--page measures only the pages whose names start with NAME, and never writes BENCHMARKS.md).
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
START_MARK = "<!-- pages benchmark: start (written by bench/pages.py) -->"
END_MARK = "<!-- pages benchmark: end -->"

# Page name, goal as a ratio to plain bare.
GOALS = {
    "question page": 0.75,
    "answer save (answer changed)": 0.6,
    "quiz list": 0.6,
    "history": 0.6,
    "result": 0.6,
    "my records": 0.6,
    "verify page (public)": 0.8,
    "certificate PDF": 0.5,
    "Open Badges JSON (public)": 0.8,
}
# Measured beside the pages, with no goal: where the question page's time goes.
# Named so that `--page reference` picks both and no page's name starts like theirs.
REFERENCES = ("reference: our bare view", "reference: the question page's queries, no template")

PLAIN_VIEW = """
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bare/", bare)]
"""

# The session cookie of a user in the plain project (run there with its settings).
PLAIN_SESSION = """
from django.contrib.auth.models import User
from django.test import Client
user = User.objects.create_user("bench", password="unused-" + "x" * 20)
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""

SAVE_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
local n = 0
request = function()
  n = n + 1
  -- Alternate between the first two choices, so every save changes the answer.
  local body = "csrfmiddlewaretoken={token}&go=next&choice=" .. (n % 2 + 1)
  return wrk.format(nil, nil, nil, body)
end
response = function(status, headers, body)
  if status ~= 302 or not string.find(headers["Location"] or "", "/questions/2/") then
    print("unexpected answer-save response " .. status)
  end
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env=None, cwd=None, capture=False):
    result = subprocess.run(cmd, env=env, cwd=cwd, text=True, capture_output=capture)
    if result.returncode:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{result.stderr or ''}")
    return result.stdout if capture else None


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    print("wrk is missing: installing Debian's package...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], env=env).returncode:
        run([*sudo, "apt-get", "update", "-qq"], env=env)
        run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], env=env)
    return shutil.which("wrk") or sys.exit("Could not install wrk (apt-get install wrk).")


def make_plain(workdir: Path) -> tuple[dict, str]:
    """A fresh `startproject` with one login_required view; returns its env and a session."""
    workdir.mkdir()
    run([str(BIN / "django-admin"), "startproject", "plain", str(workdir)])
    settings = workdir / "plain" / "settings.py"
    text = settings.read_text()
    text = text.replace("DEBUG = True", "DEBUG = False").replace(
        "ALLOWED_HOSTS = []", 'ALLOWED_HOSTS = ["127.0.0.1"]'
    )
    settings.write_text(text)
    (workdir / "plain" / "urls.py").write_text(PLAIN_VIEW)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plain.settings", "PYTHONPATH": str(workdir)}
    run([PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=workdir)
    session = run([PYTHON, "manage.py", "shell", "-c", PLAIN_SESSION], env, workdir, True)
    return env, session.strip().splitlines()[-1]


def site_env(workdir: Path, port: int) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "smptraining.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{workdir / 'site.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
    }


def start_server(module: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            module,
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{module} did not start on port {port}")


def csrf_token(url: str, cookie: str) -> tuple[str, str]:
    """GET the page as the trainee: the form's CSRF token and the csrftoken cookie."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    html = opener.open(request).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie_value = next(c.value for c in jar if c.name == "csrftoken")
    return token, cookie_value


def wrk(binary, url, seconds, cookie=None, script=None) -> dict:
    # A long timeout: a slow page's requests count, late, rather than vanish as "timeouts".
    cmd = [binary, "-t2", "-c8", f"-d{seconds}s", "--timeout=60s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if script:
        cmd += ["-s", script]
    out = run([*cmd, url], capture=True)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    unexpected = out.count("unexpected answer-save response")
    return {
        "rps": rps,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "unexpected": unexpected,
    }


def drain(url: str, cookie: str | None) -> None:
    """Wait until the requests wrk left queued are served: one answer from each worker."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    for _ in range(2):
        urllib.request.urlopen(request, timeout=120).read()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = f", load average at start {os.getloadavg()[0]:.1f}"
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}{load}"


def write_section(text: str, start_mark=START_MARK, end_mark=END_MARK) -> None:
    """Put text in BENCHMARKS.md between the marks: in place of the last run's, or near the top."""
    current = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    block = f"{start_mark}\n{text}\n{end_mark}"
    if start_mark in current:
        before, rest = current.split(start_mark, 1)
        after = rest.split(end_mark, 1)[1]
        current = before + block + after
    else:
        head, sep, tail = current.partition("\n\n")
        current = f"{head}\n\n{block}\n\n{tail}" if sep else f"{current}\n{block}\n"
    BENCHMARKS.write_text(current)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        help="measure only pages whose names start with this (repeatable); implies --no-write",
    )
    args = parser.parse_args()
    binary = ensure_wrk()
    # In memory where there is a tmpfs: both databases then cost no disk waits to set up.
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    workdir = Path(tempfile.mkdtemp(prefix="smp-bench-", dir=shm))
    servers = []
    try:
        plain_port, site_port = free_port(), free_port()
        print("Making the plain project and the site's data...", flush=True)
        plain_env, plain_session = make_plain(workdir / "plain")
        env = site_env(workdir, site_port)
        run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env, ROOT)
        out = run([PYTHON, str(ROOT / "bench" / "data.py")], env=env, cwd=ROOT, capture=True)
        data = json.loads(out.strip().splitlines()[-1])
        servers.append(start_server("plain.wsgi", plain_port, plain_env, workdir / "plain"))
        reference_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.reference_settings"}
        servers.append(start_server("smptraining.wsgi", site_port, reference_env, ROOT))
        site = f"http://127.0.0.1:{site_port}"
        busy = f"sessionid={data['busy_session']}"
        done = f"sessionid={data['done_session']}"
        token, csrf_cookie = csrf_token(site + data["question"], busy)
        save_script = workdir / "save.lua"
        save_script.write_text(
            SAVE_SCRIPT.format(cookie=f"{busy}; csrftoken={csrf_cookie}", token=token)
        )
        plain = (f"http://127.0.0.1:{plain_port}/bare/", f"sessionid={plain_session}", None)
        pages = {
            REFERENCES[0]: (site + "/bench/bare/", busy, None),
            REFERENCES[1]: (site + data["question_queries"], busy, None),
            "question page": (site + data["question"], busy, None),
            "answer save (answer changed)": (site + data["question"], busy, str(save_script)),
            "quiz list": (site + data["quiz_list"], done, None),
            "history": (site + data["history"], done, None),
            "result": (site + data["result"], done, None),
            "my records": (site + data["my_records"], done, None),
            "verify page (public)": (site + data["verify"], None, None),
            "certificate PDF": (site + data["pdf"], done, None),
            "Open Badges JSON (public)": (site + data["verify_json"], None, None),
        }
        if args.page:
            unknown = [p for p in args.page if not any(n.startswith(p) for n in pages)]
            if unknown:
                parser.error(f"no page starts with {unknown}; pages: {', '.join(pages)}")
            pages = {
                name: page for name, page in pages.items() if name.startswith(tuple(args.page))
            }
            args.no_write = True
        print("Warming up...", flush=True)
        for url, cookie, script in [plain, *pages.values()]:
            wrk(binary, url, 1, cookie, script)
            drain(site + "/healthz", None)
        plain_rps, page_rps, problems = [], {name: [] for name in pages}, []
        for number in range(1, args.rounds + 1):
            plain_rps.append(wrk(binary, plain[0], args.seconds, plain[1])["rps"])
            for name, (url, cookie, script) in pages.items():
                result = wrk(binary, url, args.seconds, cookie, script)
                drain(site + "/healthz", None)
                page_rps[name].append(result["rps"])
                if result["bad"] or result["unexpected"] or result["socket_errors"]:
                    problems.append(f"round {number}, {name}: {result}")
            plain_rps.append(wrk(binary, plain[0], args.seconds, plain[1])["rps"])
            print(f"round {number}/{args.rounds} done", flush=True)
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        servers = []
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        shutil.rmtree(workdir, ignore_errors=True)

    bare = sum(plain_rps) / len(plain_rps)
    lines = [
        "| page | req/s | × plain bare | goal | per round (req/s) |",
        "|---|---|---|---|---|",
        f"| plain bare (Django defaults, `login_required`) | {bare:.0f} | 1.00 | — | "
        + ", ".join(f"{r:.0f}" for r in plain_rps)
        + " |",
    ]
    missed = []
    for name, values in page_rps.items():
        mean = sum(values) / len(values)
        ratio = mean / bare
        if name in REFERENCES:
            verdict = "—"
        else:
            met = ratio >= GOALS[name]
            verdict = f"≥ {GOALS[name]:.2f} {'met' if met else 'MISSED'}"
            if not met:
                missed.append(name)
        lines.append(
            f"| {name} | {mean:.0f} | {ratio:.2f} | {verdict} | "
            + ", ".join(f"{r:.0f}" for r in values)
            + " |"
        )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            "## Trainee pages against Django's bare view (`make bench`)",
            "",
            f"Last run {when}: {machine()}; gunicorn 2 sync workers each, SQLite, production "
            f"settings; wrk -t2 -c8, {args.rounds} interleaved rounds of {args.seconds} s.",
            "",
            *lines,
            "",
            "Problems: " + ("; ".join(problems) if problems else "none (every response 2xx/3xx)."),
        ]
    )
    print()
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"\nWritten to {BENCHMARKS.relative_to(ROOT)}.")
    if missed:
        print("Below goal: " + ", ".join(missed))


if __name__ == "__main__":
    main()
