"""Geometry of the charts drawn as SVG on the server: no script, nothing from another host."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .models import Attempt

SERIES_STYLES = 6  # colours and dash patterns in charts.css; more quizzes reuse them


@dataclass
class ChartPoint:
    x: float
    y: float
    attempt: Attempt


@dataclass
class ChartSeries:
    title: str
    certification: bool
    style: int  # 1..SERIES_STYLES
    points: list[ChartPoint] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass
class ChartTick:
    x: float
    when: datetime
    anchor: str  # SVG text-anchor: the first and last labels stay inside the chart


@dataclass
class PassMarkLine:
    y: float
    percent: int


@dataclass
class ScoreChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[ChartSeries]
    ticks: list[ChartTick]
    pass_marks: list[PassMarkLine]
    date_format: str  # for the date filter: times when every attempt fell within two days
    first: datetime
    last: datetime

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def label_x(self) -> int:
        return self.left - 6


def score_chart(
    graded: list[Attempt], *, width: int, height: int, ticks: int, left: int = 44, right: int = 14
) -> ScoreChart | None:
    """A line per quiz of the scores of these submitted attempts over the dates they were
    submitted: certification first, then practice quizzes by title; the pass mark of each
    quiz's latest attempt drawn once per distinct value. Attempts need their quiz loaded.
    """
    if not graded:
        return None
    graded = sorted(graded, key=lambda a: a.submitted_at)
    top, bottom = 16, height - 34
    first, last = graded[0].submitted_at, graded[-1].submitted_at
    span = (last - first).total_seconds()
    plot_right = width - right

    def x_of(moment: datetime) -> float:
        if not span:
            return round((left + plot_right) / 2, 1)
        return round(left + (moment - first).total_seconds() / span * (plot_right - left), 1)

    def y_of(percent) -> float:
        return round(bottom - float(percent) / 100 * (bottom - top), 1)

    by_quiz: dict[int, list[Attempt]] = {}
    for attempt in graded:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    quizzes = sorted(
        (attempts[0].quiz for attempts in by_quiz.values()),
        key=lambda quiz: (not quiz.is_certification, quiz.order, quiz.title),
    )
    series = [
        ChartSeries(
            title=quiz.title,
            certification=quiz.is_certification,
            style=n % SERIES_STYLES + 1,
            points=[ChartPoint(x_of(a.submitted_at), y_of(a.score), a) for a in by_quiz[quiz.pk]],
        )
        for n, quiz in enumerate(quizzes)
    ]
    marks = sorted({by_quiz[quiz.pk][-1].pass_mark for quiz in quizzes})
    if span:
        moments = [first + timedelta(seconds=span * i / (ticks - 1)) for i in range(ticks)]
        anchors = ["start", *["middle"] * (ticks - 2), "end"]
    else:
        moments, anchors = [first], ["middle"]
    if span < 2 * 86400:
        date_format = "j M, H:i"
    elif first.year == last.year:
        date_format = "j M"
    else:
        date_format = "j M Y"
    return ScoreChart(
        width=width,
        height=height,
        left=left,
        right=plot_right,
        top=top,
        bottom=bottom,
        series=series,
        ticks=[
            ChartTick(x_of(moment), moment, anchor)
            for moment, anchor in zip(moments, anchors, strict=True)
        ],
        pass_marks=[PassMarkLine(y_of(mark), mark) for mark in marks],
        date_format=date_format,
        first=first,
        last=last,
    )
