"""Locust: trainees taking the certification, from login to the certificate download.

Run by bench/loadtest.py (`make loadtest`), which prepares the database, serves the site and
checks the answers afterwards. Each simulated trainee logs in to a prepared account, starts
the certification, answers every question with think time (posting the choices it picked, as
the page's form does), reviews, submits, reads the result, then opens its records and
downloads its certificate, then stops. The answers it gave are written to LOADTEST_ANSWERS
(JSON) so the database can be checked against them.

The answer key is read from the database by the test (not through the site) so every trainee
passes and has a certificate to download.
"""

import json
import os
import random
import re
from urllib.parse import urlencode

import gevent
from locust import events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

ACCOUNTS = json.loads(os.environ["LOADTEST_ACCOUNTS"])  # [[email, password], ...]
THINK = tuple(float(x) for x in os.environ.get("LOADTEST_THINK", "5,15").split(","))
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ANSWERS: dict[str, dict] = {}  # attempt id -> {position: mask of the choices last posted}
_accounts = iter(ACCOUNTS)
_finished = []


def answer_key(attempt_id: int) -> list[tuple[int, list[int], int]]:
    """(position, places of the right choices, their mask) of each question of the attempt.

    Each simulated trainee is a greenlet, which Django treats as a thread with a connection of
    its own: the connection is closed at once, or 200 trainees would hold 200 connections.
    """
    import django

    django.setup()
    from django.db import connection

    from quizzes.models import DrawnQuestion

    try:
        rows = list(
            DrawnQuestion.objects.filter(attempt_id=attempt_id)
            .order_by("position")
            .only("position", "display_order", "correct")
        )
    finally:
        connection.close()
    key = []
    for drawn in rows:
        places = [
            place
            for place, index in enumerate(drawn.display_order, start=1)
            if drawn.correct >> index & 1
        ]
        key.append((drawn.position, places, drawn.correct))
    return key


def csrf(response) -> str:
    return TOKEN.search(response.text).group(1)


class Trainee(FastHttpUser):
    def on_start(self):
        self.email, self.password = next(_accounts)

    def think(self):
        gevent.sleep(random.uniform(*THINK))

    def post(self, url, fields, name):
        body = urlencode(fields, doseq=True)
        return self.client.post(url, data=body, headers=FORM, name=name, allow_redirects=False)

    @task
    def take_the_certification(self):
        client = self.client
        page = client.get("/accounts/login/", name="login page")
        fields = {
            "username": self.email,
            "password": self.password,
            "csrfmiddlewaretoken": csrf(page),
        }
        response = self.post("/accounts/login/", fields, "log in")
        assert response.status_code == 302, f"login: {response.status_code}"
        client.get("/quizzes/", name="quiz list")
        detail = client.get("/quizzes/smp-safety-certification/", name="quiz detail")
        started = self.post(
            "/quizzes/smp-safety-certification/start/",
            {"csrfmiddlewaretoken": csrf(detail)},
            "start",
        )
        assert started.status_code == 302, f"start: {started.status_code}"
        attempt_id = re.search(r"/attempts/(\d+)/", started.headers["Location"]).group(1)
        given = ANSWERS.setdefault(attempt_id, {})
        for position, places, mask in answer_key(int(attempt_id)):
            url = f"/attempts/{attempt_id}/questions/{position}/"
            page = client.get(url, name="question page")
            token = csrf(page)
            self.think()
            # Some trainees change their mind: a wrong pick first (saved), then the right one.
            if random.random() < 0.1:
                wrong = next(p for p in range(1, 10) if p not in places)
                self.post(
                    url,
                    {"csrfmiddlewaretoken": token, "choice": [wrong], "go": "stay"},
                    "answer save",
                )
            saved = self.post(
                url, {"csrfmiddlewaretoken": token, "choice": places, "go": "next"}, "answer save"
            )
            assert saved.status_code == 302, f"save: {saved.status_code}"
            given[str(position)] = mask
        review = client.get(f"/attempts/{attempt_id}/review/", name="review")
        self.think()
        submitted = self.post(
            f"/attempts/{attempt_id}/submit/",
            {"csrfmiddlewaretoken": csrf(review), "confirm": "yes"},
            "submit",
        )
        assert submitted.status_code == 302, f"submit: {submitted.status_code}"
        client.get(f"/attempts/{attempt_id}/result/", name="result")
        self.think()  # reads the result before going to the records
        records = client.get("/records/", name="my records")
        pdf_url = re.search(r'href="(/records/[^"]+/certificate\.pdf)"', records.text).group(1)
        pdf = client.get(pdf_url, name="certificate PDF")
        assert pdf.content.startswith(b"%PDF"), "no certificate"
        _finished.append(self.email)
        if len(_finished) == len(ACCOUNTS):
            # From another greenlet, a moment later: quitting from this one lost its last
            # requests from the statistics (199 of 200 downloads counted).
            gevent.spawn_later(1, self.environment.runner.quit)
        raise StopUser()


@events.quitting.add_listener
def save_answers(environment, **kwargs):
    with open(os.environ["LOADTEST_ANSWERS"], "w") as out:
        json.dump({"finished": len(_finished), "answers": ANSWERS}, out)
