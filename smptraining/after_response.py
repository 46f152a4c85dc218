"""Work a request starts but its client need not wait for: run once the response has been sent.

Django sends request_finished when the server closes the response, after its body has gone out
(gunicorn, runserver and the test client all close it then). Jobs queued while a request is
handled run at that point, in order, each on its own: one that fails is logged and the others
still run. Outside a request (a management command, a shell) nothing is queued, and the caller
leaves the work to whoever needs its result first.
"""

import logging

from asgiref.local import Local
from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)
_queue = Local()


def after_response(job) -> bool:
    """Queue `job` (a callable without arguments) to run once this request's response is out.

    Returns False, queuing nothing, when no request is being handled.
    """
    jobs = getattr(_queue, "jobs", None)
    if jobs is None:
        return False
    jobs.append(job)
    return True


def _open(**kwargs) -> None:
    _queue.jobs = []  # a request that never finished left nothing behind for this one


def _run(**kwargs) -> None:
    jobs, _queue.jobs = getattr(_queue, "jobs", None) or [], None
    for job in jobs:
        try:
            job()
        except Exception:
            logger.exception("A job queued for after the response failed: %r", job)


request_started.connect(_open, dispatch_uid="smptraining.after_response.open")
request_finished.connect(_run, dispatch_uid="smptraining.after_response.run")
