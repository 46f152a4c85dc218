from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from smptraining.rows import Prepared

from . import attempt_reads, record_reads
from . import attempts as workflows
from .attempts import AttemptRefused, CertificationInProgress
from .certificate_files import keep_certificate_after_response
from .certificates import linkedin_url, verify_url
from .charts import score_chart
from .models import Attempt, CompletionRecord, DrawnQuestion, DrawRule, Question, Quiz, Topic
from .records import record_is_held


@login_required
@require_safe
def topic_list(request):
    # An aggregate drops the model's default ordering: the topic order is asked for again.
    topics = Topic.objects.annotate(
        active_question_count=Count("questions", filter=Q(questions__active=True))
    ).order_by("order", "name")
    return render(request, "quizzes/topic_list.html", {"topics": topics})


@login_required
@require_safe
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    practice = (
        Quiz.objects.filter(published=True, purpose=Quiz.Purpose.PRACTICE, draw_rules__topic=topic)
        .order_by("order", "title")
        .first()
    )
    return render(request, "quizzes/topic_detail.html", {"topic": topic, "practice": practice})


# --- Quizzes ----------------------------------------------------------------------------------


@login_required
@require_safe
def quiz_list(request):
    """Every published quiz with this trainee's state in it.

    Queries: session and user, quizzes, attempt stats, open attempts, and the start rule
    (none without a limited quiz, three with one): constant in the number of quizzes.
    """
    now = timezone.now()
    trainee = request.user.pk
    quizzes = attempt_reads.published_quizzes()
    stats = {
        quiz_id: (best, passes)
        for quiz_id, best, passes in attempt_reads.quiz_stats(trainee=trainee)
    }
    checks = workflows.start_checks(quizzes, trainee, now)
    open_attempts = {a.quiz_id: a for a in attempt_reads.open_attempts(trainee=trainee)}
    rows = []
    for quiz in quizzes:
        best, passes = stats.get(quiz.id, (None, 0))
        current = open_attempts.get(quiz.id)
        if current is not None and current.is_past_deadline(now):
            current = None  # graded when the trainee next opens it
        rows.append(
            {
                "quiz": quiz,
                "current": current,
                "seconds_left": current.seconds_left(now) if current else None,
                "check": checks[quiz.id],
                "best": best,
                "passed": passes > 0,
            }
        )
    return render(request, "quizzes/quiz_list.html", {"rows": rows}, using="jinja2")


def _published_quiz(slug):
    return get_object_or_404(Quiz, slug=slug, published=True)


@login_required
@require_safe
def quiz_detail(request, slug):
    quiz = _published_quiz(slug)
    now = timezone.now()
    current = workflows.open_attempt(quiz, request.user)
    if current is not None:
        current = workflows.close_if_expired(current, now)
        if current.is_submitted:
            current = None
    check = workflows.check_can_start(quiz, request.user, now)
    # Practice waits while a certification attempt is open: say so rather than offer a Start.
    exam = None if quiz.is_certification else workflows.open_certification(request.user, now)
    rules = list(quiz.draw_rules.select_related("topic"))
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "rules": rules,
            "question_count": workflows.questions_per_attempt(quiz, rules),
            "has_critical": Question.objects.filter(
                active=True, critical=True, topic__in=[r.topic_id for r in rules]
            )
            .for_quiz(quiz)
            .exists(),
            "current": current,
            "check": check,
            "exam": exam,
            "exam_refusal": str(CertificationInProgress(exam)) if exam else "",
        },
    )


def _refused(request, refusal: AttemptRefused) -> None:
    """Show a workflow's refusal; one kept back by a certification links to that attempt."""
    if isinstance(refusal, CertificationInProgress):
        link = reverse("quizzes:resume", args=[refusal.attempt.pk])
        messages.error(
            request,
            format_html(
                '{} <a class="alert-link" href="{}">{}</a>',
                str(refusal),
                link,
                _("Back to your certification"),
            ),
        )
    else:
        messages.error(request, str(refusal))


@login_required
@require_POST
def start(request, slug):
    quiz = _published_quiz(slug)
    try:
        attempt = workflows.start_attempt(quiz=quiz, trainee=request.user, now=timezone.now())
    except AttemptRefused as refusal:
        _refused(request, refusal)
        return redirect("quizzes:quiz_detail", slug)
    return redirect("quizzes:question", attempt.pk, attempt.last_position)


# --- Attempts ---------------------------------------------------------------------------------


def _trainee_attempt(request, attempt_id) -> Attempt:
    """The attempt if it is this trainee's (anyone else gets a 404), graded if it expired."""
    attempt = attempt_reads.trainee_attempt(attempt_id, request.user.pk)
    if attempt is None:
        raise Http404("No such attempt of yours.")
    closed = workflows.close_if_expired(attempt, timezone.now())
    if closed.is_submitted and not attempt.is_submitted:
        messages.info(request, _("Time ran out. Your attempt was graded with the answers saved."))
    return closed


@login_required
@require_safe
def resume(request, attempt_id):
    attempt = _trainee_attempt(request, attempt_id)
    if attempt.is_submitted:
        return redirect("quizzes:result", attempt.pk)
    return redirect("quizzes:question", attempt.pk, attempt.last_position)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question(request, attempt_id, position):
    """One question of an attempt. Every move (Previous, Next, a number, Review) saves first.

    Queries for a GET: session and user (2), attempt (1), an open certification (1, for a
    practice attempt), this drawn question (1), the navigator (1). A POST adds the save:
    savepoint, locked attempt, drawn question, update (4), and the new resume position (1).
    """
    attempt = _trainee_attempt(request, attempt_id)
    if attempt.is_submitted:
        return redirect("quizzes:result", attempt.pk)
    if not 1 <= position <= attempt.question_count:
        raise Http404("No such question in this attempt.")
    paused = workflows.practice_paused(attempt, timezone.now())
    if paused is not None:
        _refused(request, CertificationInProgress(paused))
        return redirect("quizzes:question", paused.pk, paused.last_position)
    if request.method == "POST":
        return _save_and_move(request, attempt, position)
    drawn = attempt_reads.drawn_question(attempt.pk, position)
    if drawn is None:
        raise Http404("No such question in this attempt.")
    navigator = attempt_reads.navigator(attempt.pk)
    answered = sum(done for _, done in navigator)
    checked = drawn.checked_at is not None  # practice only: marked, with its explanation
    return render(
        request,
        "quizzes/question.html",
        {
            "attempt": attempt,
            "drawn": drawn,
            "can_check": not attempt.quiz.is_certification,
            "checked": checked,
            "shown_choices": [
                {
                    "place": place,
                    "text": choice["text"],
                    "selected": drawn.is_selected(index),
                    "right": checked and drawn.is_correct_choice(index),
                }
                for place, (index, choice) in enumerate(drawn.shown_choices(), start=1)
            ],
            "navigator": navigator,
            "answered": answered,
            "seconds_left": attempt.seconds_left(timezone.now()),
            "is_first": position == 1,
            "is_last": position == attempt.question_count,
        },
        using="jinja2",
    )


def _save_and_move(request, attempt, position):
    go = request.POST.get("go", "next")
    autosave = go == "stay" and "application/json" in request.headers.get("Accept", "")
    values = request.POST.getlist("choice")
    try:
        if go == "check":
            workflows.check_response(
                attempt=attempt, position=position, values=values, now=timezone.now()
            )
            return redirect("quizzes:question", attempt.pk, position)
        workflows.save_response(
            attempt=attempt, position=position, values=values, now=timezone.now()
        )
    except AttemptRefused as refusal:
        if autosave:
            return JsonResponse({"saved": False, "message": str(refusal)}, status=409)
        _refused(request, refusal)
        attempt = workflows.close_if_expired(attempt, timezone.now())
        if attempt.is_submitted:
            return redirect("quizzes:result", attempt.pk)
        return redirect("quizzes:question", attempt.pk, position)
    if autosave:
        # The page's script: a status it can check, never a redirect it would follow.
        answered = DrawnQuestion.objects.filter(attempt=attempt, selected__isnull=False).count()
        return JsonResponse({"saved": True, "answered": answered})
    target = workflows.move(attempt=attempt, position=position, go=go)
    if target is None:
        return redirect("quizzes:review", attempt.pk)
    return redirect("quizzes:question", attempt.pk, target)


@login_required
@require_safe
def review(request, attempt_id):
    """Before submitting: which questions are still unanswered. Fixed queries."""
    attempt = _trainee_attempt(request, attempt_id)
    if attempt.is_submitted:
        return redirect("quizzes:result", attempt.pk)
    paused = workflows.practice_paused(attempt, timezone.now())
    if paused is not None:
        _refused(request, CertificationInProgress(paused))
        return redirect("quizzes:question", paused.pk, paused.last_position)
    navigator = attempt_reads.navigator(attempt.pk)
    unanswered = [p for p, answered in navigator if not answered]
    return render(
        request,
        "quizzes/review.html",
        {
            "attempt": attempt,
            "navigator": navigator,
            "unanswered": unanswered,
            "seconds_left": attempt.seconds_left(timezone.now()),
        },
    )


@login_required
@require_POST
def submit(request, attempt_id):
    """Submit; with questions unanswered, ask first (a page of its own: no script needed)."""
    attempt = _trainee_attempt(request, attempt_id)
    if attempt.is_submitted:
        messages.info(request, _("This attempt was already submitted."))
        return redirect("quizzes:result", attempt.pk)
    unanswered = [p for p, answered in attempt_reads.navigator(attempt.pk) if not answered]
    if unanswered and request.POST.get("confirm") != "yes":
        return render(
            request,
            "quizzes/submit_confirm.html",
            {
                "attempt": attempt,
                "unanswered": unanswered,
                "seconds_left": attempt.seconds_left(timezone.now()),
            },
        )
    try:
        workflows.submit_by_trainee(attempt=attempt, now=timezone.now())
    except AttemptRefused as refusal:
        _refused(request, refusal)
        return redirect("quizzes:review", attempt.pk)
    return redirect("quizzes:result", attempt.pk)


@login_required
@require_safe
def result(request, attempt_id):
    """Score, verdict, topics, and each question as far as the quiz's review options allow.

    Fixed queries: session, user, attempt, "has passed" (none when this attempt passed), the
    open certification, the drawn questions' marks (topic scores are summed from them), the
    drawn questions themselves where the review shows them; the start rule (none for an
    unlimited quiz, three otherwise); for a certification, the study links of missed topics
    (one) and, once passed, its completion record (one). After the first view in a worker,
    that record's certificate is rendered unless it is kept (one more query).
    """
    attempt = _trainee_attempt(request, attempt_id)
    if not attempt.is_submitted:
        return redirect("quizzes:review", attempt.pk)
    review = workflows.review_of(attempt, timezone.now())
    shown = review.shown
    show_questions = bool(shown & {"correctness", "right_answers", "explanations"})
    marks = workflows.marks(attempt)
    topic_scores = workflows.topic_scores(attempt, marks)
    verdict = workflows.attempt_verdict(attempt, topic_scores, marks)
    questions = []
    for d in attempt_reads.graded_questions(attempt=attempt.pk) if show_questions else ():
        key = workflows.shows_key(d, shown)
        questions.append(
            {
                "drawn": d,
                "shows": key,
                "choices": [
                    {
                        "text": choice["text"],
                        "feedback": choice.get("feedback", ""),
                        "selected": d.is_selected(index),
                        "correct": key["right_answers"] and d.is_correct_choice(index),
                    }
                    for index, choice in d.shown_choices()
                ],
                "earned_percent": round((d.earned or 0) * 100),
            }
        )
    missed_topics = [t for t in topic_scores if t.percent < 100 and attempt.quiz.is_certification]
    study_links = _study_links([t.topic_id for t in missed_topics])
    record = None
    # The grading's decision, as stored, says whether a record was issued.
    if attempt.quiz.is_certification and attempt.passed:
        record = record_reads.attempts_record(attempt, timezone.now())
        if record is not None and record.current_status not in CompletionRecord.CURRENT:
            record = None
        if record is not None:
            keep_certificate_after_response(record)
    return render(
        request,
        "quizzes/result.html",
        {
            "attempt": attempt,
            "verdict": verdict,
            "topic_scores": topic_scores,
            "questions": questions,
            "shown": shown,
            "paused": review.exam,
            "critical_misses": workflows.critical_misses(marks, verdict, shown),
            "show_questions": show_questions,
            "check": review.check,
            "right_count": sum(1 for mark in marks if (mark.earned or 0) == 1),
            "record_held": verdict.passed
            and attempt.quiz.is_certification
            and record_is_held(request.user),
            "record": record,
            "verify_url": record and verify_url(record),
            "linkedin_url": record and linkedin_url(record),
            "missed_topics": [
                {"name": t.name, **study_links.get(t.topic_id, {"notes": None, "practice": None})}
                for t in missed_topics
            ],
        },
        using="jinja2",
    )


def _study_links(topic_ids: list[int]) -> dict[int, dict]:
    """Per topic: the slug of its study notes and of its first published practice quiz.

    One query; none without topics.
    """
    if not topic_ids:
        return {}
    return {
        topic_id: {"notes": slug, "practice": practice}
        for topic_id, slug, practice in _topics_study_links()
        if topic_id in topic_ids
    }


# Every topic's links, compiled once (smptraining/rows.py): a bank has a handful of topics.
_topics_study_links = Prepared(
    lambda: Topic.objects.annotate(
        practice=Subquery(
            DrawRule.objects.filter(
                topic=OuterRef("pk"), quiz__published=True, quiz__purpose=Quiz.Purpose.PRACTICE
            )
            .order_by("quiz__order", "quiz__title")
            .values("quiz__slug")[:1]
        )
    ).values_list("id", "slug", "practice")
)


@require_safe
def sources(request):
    """The three documents the course is written from, and what each one is."""
    return render(request, "quizzes/sources.html")


# --- History ----------------------------------------------------------------------------------


@login_required
@require_safe
def history(request):
    """Every attempt of this trainee, a chart of scores per quiz, the best per quiz.

    Queries: session and user, attempts with their quizzes, the missed questions.
    """
    attempts = attempt_reads.trainee_attempts(trainee=request.user.pk)
    best = {}
    for attempt in attempts:
        if attempt.is_submitted:
            current = best.get(attempt.quiz_id)
            if current is None or attempt.score > current.score:
                best[attempt.quiz_id] = attempt
    graded = [a for a in attempts if a.is_submitted]
    return render(
        request,
        "quizzes/history.html",
        {
            "attempts": list(reversed(attempts)),
            "best": sorted(best.values(), key=lambda a: a.quiz.title),
            # Two drawings of one chart: labels stay readable on a phone and on a desktop.
            "phone_chart": score_chart(graded, width=340, height=230, ticks=3),
            "wide_chart": score_chart(graded, width=760, height=280, ticks=5),
            "missed": workflows.missed_questions(request.user),
        },
        using="jinja2",
    )


@login_required
@require_POST
def practice_missed(request):
    try:
        attempt = workflows.start_missed_practice(trainee=request.user, now=timezone.now())
    except AttemptRefused as refusal:
        _refused(request, refusal)
        return redirect("quizzes:history")
    return redirect("quizzes:question", attempt.pk, 1)
