"""Two pages that show where a trainee page's time goes, measured by bench/pages.py.

- our bare view: Django's bare `login_required` view inside our settings and middleware;
- the question page's queries: the question view's reads (session, user, attempt, drawn
  question, navigator) through the same functions, answered with a constant body of the real
  page's size instead of the template. It is the most the question page could reach with
  these queries, whatever the template cost.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

from quizzes import attempt_reads, views

QUESTION_PAGE_BYTES = 10_900  # the certification's question page, 30 questions


@login_required
def bare(request):
    return HttpResponse("ok")


@login_required
def question_queries(request, attempt_id, position):
    attempt = views._trainee_attempt(request, attempt_id)
    attempt_reads.drawn_question(attempt.pk, position)
    attempt_reads.navigator(attempt.pk)
    return HttpResponse(b"x" * QUESTION_PAGE_BYTES)


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/question-queries/<int:attempt_id>/<int:position>/", question_queries),
    path("", include("smptraining.urls")),
]
