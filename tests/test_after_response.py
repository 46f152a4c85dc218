"""Work queued for after the response: it runs once the response is closed, never before."""

import logging

import pytest
from django.core.signals import request_finished, request_started

from smptraining.after_response import after_response

# The request signals also tell Django to close old database connections: that is a database
# access, which pytest-django allows only to tests that may touch the database.
pytestmark = pytest.mark.django_db


def test_nothing_is_queued_outside_a_request():
    ran = []
    assert after_response(lambda: ran.append(1)) is False
    request_finished.send(sender=None)
    assert ran == []


def test_jobs_run_in_order_when_the_response_is_closed_and_a_failure_stops_no_other(caplog):
    ran = []

    def broken():
        raise OSError("storage is down")

    request_started.send(sender=None, environ={})
    assert after_response(lambda: ran.append("first"))
    assert after_response(broken)
    assert after_response(lambda: ran.append("third"))
    assert ran == []  # the view is still running
    with caplog.at_level(logging.ERROR, logger="smptraining.after_response"):
        request_finished.send(sender=None)
    assert ran == ["first", "third"]
    assert "storage is down" in caplog.text
    request_finished.send(sender=None)  # a second close runs nothing again
    assert ran == ["first", "third"]


def test_a_request_that_never_finished_leaves_nothing_to_the_next():
    ran = []
    request_started.send(sender=None, environ={})
    after_response(lambda: ran.append("lost"))
    request_started.send(sender=None, environ={})
    request_finished.send(sender=None)
    assert ran == []
