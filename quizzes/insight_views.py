"""Instructor pages in the admin's look: home, gradebook, trainee, item analysis, cohort."""

import csv
from datetime import datetime, time

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import insight
from .attempts import MISSED_PRACTICE_SLUG
from .exporters import csv_cell
from .grading import whole_percent
from .models import Attempt, CompletionRecord, Quiz

PAGE_SIZE = 50


def reported_quizzes():
    """Quizzes to choose from: not the per-trainee "Practice what I missed" container."""
    return Quiz.objects.exclude(slug=MISSED_PRACTICE_SLUG)


def instructor_view(view):
    """Staff only (others go to the admin login), and the right to read attempts."""

    def check(request, *args, **kwargs):
        if not request.user.has_perm("quizzes.view_attempt"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(check)


def _context(request, title, **extra):
    return {**admin.site.each_context(request), "title": title, **extra}


@instructor_view
def home(request):
    """An instructor's first page: this week's activity and what needs a look.

    Queries: session, user, permissions (2), then `insight.instructor_overview`'s (constant in
    the cohort size).
    """
    return TemplateResponse(
        request,
        "insight/home.html",
        _context(
            request,
            _("Instructor home"),
            overview=insight.instructor_overview(timezone.now()),
            pass_rate_days=insight.PASS_RATE_DAYS,
            few=insight.FEW_ATTEMPTS,
            expiring_status=CompletionRecord.Status.EXPIRING,
        ),
    )


class GradebookFilterForm(forms.Form):
    quiz = forms.ModelChoiceField(
        reported_quizzes(),
        label=gettext_lazy("Quiz"),
        required=False,
        empty_label=gettext_lazy("All quizzes"),
    )
    passed = forms.ChoiceField(
        label=gettext_lazy("Passed"),
        choices=[
            ("", gettext_lazy("Passed or not")),
            ("yes", gettext_lazy("Passed")),
            ("no", gettext_lazy("Not passed")),
        ],
        required=False,
    )
    record = forms.ChoiceField(
        label=gettext_lazy("Record status"),
        choices=[
            ("", gettext_lazy("Any record status")),
            ("none", gettext_lazy("No record")),
            *CompletionRecord.Status.choices,
        ],
        required=False,
    )
    since = forms.DateField(
        label=gettext_lazy("Last attempt from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("Last attempt until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = forms.CharField(label=gettext_lazy("Name or email"), required=False, max_length=100)
    sort = forms.ChoiceField(choices=[(k, k) for k in insight.GRADEBOOK_SORTS], required=False)
    dir = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False)

    def filters(self) -> insight.GradebookFilters:
        """The valid filters; a field with a nonsense value is left out (and reported)."""
        data = {
            name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors
        }
        tz = timezone.get_current_timezone()
        return insight.GradebookFilters(
            quiz_id=data["quiz"].pk if data.get("quiz") else None,
            passed={"yes": True, "no": False}.get(data.get("passed") or ""),
            record_status=data.get("record") or "",
            since=datetime.combine(data["since"], time.min, tz) if data.get("since") else None,
            until=(datetime.combine(data["until"], time.max, tz) if data.get("until") else None),
            search=(data.get("q") or "").strip(),
            sort=data.get("sort") or "name",
            descending=data.get("dir") == "desc",
        )


class CohortFilterForm(forms.Form):
    """Any id the browser sends (“²”, a 30-digit number) is either a known quiz or an error."""

    quiz = forms.ModelChoiceField(reported_quizzes(), required=False)


def _gradebook_rows(request):
    form = GradebookFilterForm(request.GET)
    form.is_valid()
    if form.errors:
        problems = "; ".join(
            _("%(field)s: %(errors)s")
            % {"field": form.fields[name].label or name, "errors": " ".join(errors)}
            for name, errors in form.errors.items()
        )
        messages.warning(
            request,
            _("Some filters were not understood and are ignored: %(problems)s")
            # A pasted value is echoed in the error; the message is kept in the session.
            % {"problems": Truncator(problems).chars(300)},
        )
    now = timezone.now()
    return form, insight.gradebook(form.filters(), now), now


@instructor_view
def gradebook(request):
    """Fixed queries: session, user, permissions (2), count, page of rows, quizzes for the form."""
    form, rows, now = _gradebook_rows(request)
    if request.GET.get("format") == "csv":
        return _gradebook_csv(rows, now)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row["record_status"] = insight.record_status_label(row)
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "insight/gradebook.html",
        _context(
            request,
            _("Gradebook"),
            form=form,
            page=page,
            query=query.urlencode(),
            sorts=insight.GRADEBOOK_SORTS,
        ),
    )


class _Echo:
    def write(self, value):
        return value


def _gradebook_csv(rows, now):
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)

    def lines():
        yield writer.writerow(
            [
                "name",
                "email",
                "quiz",
                "best score",
                "attempts",
                "last attempt",
                "passed",
                "record status",
            ]
        )
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                csv_cell(cell)
                for cell in [
                    row["trainee__full_name"],
                    row["trainee__email"],
                    row["quiz__title"],
                    whole_percent(row["best"]),
                    row["used"],
                    f"{row['last_at']:%Y-%m-%d %H:%M}",
                    "yes" if row["passes"] else "no",
                    insight.record_status_label(row),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="gradebook.csv"'
    return response


@instructor_view
def attempt(request, attempt_id):
    """One attempt question by question: what was shown, picked, right, and the credit.

    Read-only. Fixed queries: session, user, permissions, the attempt, its drawn questions.
    """
    taken = get_object_or_404(Attempt.objects.select_related("quiz", "trainee"), pk=attempt_id)
    questions = [
        {
            "drawn": drawn,
            "choices": [
                {
                    "place": place,
                    "text": choice["text"],
                    "picked": drawn.is_selected(index),
                    "right": drawn.is_correct_choice(index),
                }
                for place, (index, choice) in enumerate(drawn.shown_choices(), start=1)
            ],
        }
        for drawn in taken.drawn.order_by("position")
    ]
    return TemplateResponse(
        request,
        "insight/attempt.html",
        _context(
            request,
            _("%(name)s: %(quiz)s")
            % {
                "name": taken.trainee.full_name if taken.trainee else _("a deleted account"),
                "quiz": taken.quiz.title,
            },
            taken=taken,
            questions=questions,
        ),
    )


@instructor_view
def trainee(request, user_id):
    person = get_object_or_404(get_user_model(), pk=user_id)
    attempts = Attempt.objects.filter(trainee=person).select_related("quiz").order_by("-started_at")
    return TemplateResponse(
        request,
        "insight/trainee.html",
        _context(
            request,
            _("Trainee: %(name)s") % {"name": person.full_name},
            person=person,
            attempts=attempts,
            mastery=insight.topic_mastery(attempts.filter(submitted_at__isnull=False)),
        ),
    )


@instructor_view
def item_analysis(request, quiz_id):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    analysis = insight.item_analysis(quiz)
    return TemplateResponse(
        request,
        "insight/item_analysis.html",
        _context(
            request,
            _("Item analysis: %(quiz_title)s") % {"quiz_title": quiz.title},
            analysis=analysis,
            few=insight.FEW_ATTEMPTS,
            quizzes=reported_quizzes(),
        ),
    )


@instructor_view
def cohort(request):
    form = CohortFilterForm(request.GET)
    quiz = form.cleaned_data["quiz"] if form.is_valid() else None
    if form.errors:
        messages.warning(request, _("That quiz is not known; showing every quiz."))
    data = insight.cohort_mastery(quiz.pk if quiz else None)
    return TemplateResponse(
        request,
        "insight/cohort.html",
        _context(
            request,
            _("Cohort mastery by topic"),
            data=data,
            trend=_trend_chart(data),
            quiz=quiz,
            quizzes=reported_quizzes(),
        ),
    )


def _trend_chart(data, width=640, height=220, pad=36):
    """An SVG line per topic over the months (the table below the chart gives the figures)."""
    months = data["months"]
    if len(months) < 2:
        return None
    step = (width - 2 * pad) / (len(months) - 1)

    def y(percent):
        return round(height - pad - percent / 100 * (height - 2 * pad), 1)

    lines = []
    for n, topic in enumerate(data["topics"]):
        points = [
            (round(pad + i * step, 1), y(month["percents"][n]))
            for i, month in enumerate(months)
            if month["percents"][n] is not None
        ]
        lines.append(
            {
                "name": topic["name"],
                "series": n % 6 + 1,
                "points": " ".join(f"{x},{py}" for x, py in points),
            }
        )
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "left": pad,
        "right": width - pad,
        "top": pad,
        "middle": height / 2,
        "bottom": height - pad,
        "first": months[0]["month"],
        "last": months[-1]["month"],
    }
