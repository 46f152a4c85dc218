import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from textwrap import shorten

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

ILLUSTRATIONS = "illustrations/"  # the storage folder of question and study-note pictures
ILLUSTRATION_EXTENSIONS = ["svg", "png", "jpg", "jpeg", "webp"]
ILLUSTRATION_NAME = re.compile(r"illustrations/[\w.-]+\.(?:svg|png|jpe?g|webp)")
FIGURE = re.compile(r"!\[(?P<alt>[^\]\n]+)\]\((?P<file>[\w.-]+\.(?:svg|png|jpe?g|webp))\)")


class Topic(models.Model):
    """A safety topic: questions are drawn from it and trainees read its study notes."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    study_notes = models.TextField(
        _("study notes"),
        blank=True,
        help_text=_(
            "Plain text; a blank line starts a paragraph. A paragraph of the form "
            "![what the picture shows](file.svg) shows an illustration from the storage's "
            "illustrations folder."
        ),
    )
    referral_notes = models.TextField(
        _("when to send the client to a doctor"),
        blank=True,
        help_text=_("Shown as a box beside the study notes; leave empty if the topic has none."),
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.CheckConstraint(condition=~models.Q(slug=""), name="quizzes_topic_slug_set"),
        ]

    def __str__(self):
        return self.name

    def study_blocks(self) -> list[dict]:
        """The study notes as paragraphs and figures, in order.

        A paragraph written as ![what it shows](file.svg) is a figure from the storage's
        illustrations folder; any other paragraph is text.
        """
        blocks = []
        for paragraph in self.study_notes.split("\n\n"):
            paragraph = paragraph.strip()
            figure = FIGURE.fullmatch(paragraph)
            if figure:
                url = default_storage.url(ILLUSTRATIONS + figure["file"])
                blocks.append({"figure": url, "alt": figure["alt"]})
            elif paragraph:
                blocks.append({"text": paragraph})
        return blocks


class SourceDocument(models.TextChoices):
    """The safety material the bank is written from (see the Sources page)."""

    ARTICLE = "article", _("The article “Is scalp micropigmentation safe?”")
    INFECTION_CONTROL = "infection-control", _("Infection-control notes")
    CLIENT_HEALTH = "client-health", _("Client-health notes")


@dataclass(frozen=True)
class ChoiceDraft:
    """A choice as typed in the admin or read from a file, before it is saved."""

    text: str
    is_correct: bool


class QuestionQuerySet(models.QuerySet):
    def for_quiz(self, quiz: "Quiz"):
        """The questions a quiz of this purpose may show: secure items never reach practice."""
        if quiz.is_certification:
            return self.exclude(usage=Question.Usage.PRACTICE)
        return self.for_practice()

    def for_practice(self):
        return self.exclude(usage=Question.Usage.CERTIFICATION)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single answer")
        MULTIPLE = "multiple", _("Multiple answers")
        TRUE_FALSE = "true_false", _("True or false")

    class Usage(models.TextChoices):
        BOTH = "both", _("Practice and certification")
        PRACTICE = "practice", _("Practice only")
        CERTIFICATION = "certification", _("Certification only (secure)")

    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="questions", verbose_name=_("topic")
    )
    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        help_text=_("Stable identifier used by imports and exports; never reused."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    prompt = models.TextField(_("prompt"))
    explanation = models.TextField(
        _("explanation"),
        blank=True,
        help_text=_("Shown after submission: why the right answer is right. Required to activate."),
    )
    source_document = models.CharField(
        _("source document"), max_length=32, choices=SourceDocument.choices, blank=True
    )
    source_section = models.CharField(
        _("source section"),
        max_length=255,
        blank=True,
        help_text=_("The section of the source document this question comes from."),
    )
    usage = models.CharField(
        _("used for"),
        max_length=16,
        choices=Usage.choices,
        default=Usage.BOTH,
        help_text=_(
            "A certification-only question is never shown in practice, so its key cannot be "
            "learnt there."
        ),
    )
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_(
            "A wrong answer to a critical question fails the attempt whatever the score: mark "
            "the questions where a wrong answer would put someone in danger."
        ),
    )
    image = models.FileField(
        _("illustration"),
        upload_to=ILLUSTRATIONS,
        blank=True,
        max_length=200,
        validators=[FileExtensionValidator(ILLUSTRATION_EXTENSIONS)],
        help_text=_("Optional: an SVG, PNG, JPEG or WebP picture shown with the prompt."),
    )
    image_alt = models.CharField(
        _("illustration's text alternative"),
        max_length=300,
        blank=True,
        help_text=_(
            "Required with an illustration: what the picture shows, for trainees who cannot "
            "see it. Do not give the answer away."
        ),
    )
    active = models.BooleanField(
        _("active"), default=False, help_text=_("Only active questions are drawn into quizzes.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["single", "multiple", "true_false"]),
                name="quizzes_question_kind_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(prompt=""), name="quizzes_question_prompt_set"
            ),
            models.CheckConstraint(condition=~models.Q(key=""), name="quizzes_question_key_set"),
            models.CheckConstraint(
                condition=models.Q(usage__in=["both", "practice", "certification"]),
                name="quizzes_question_usage_known",
            ),
            models.CheckConstraint(
                condition=models.Q(image="") | ~models.Q(image_alt=""),
                name="quizzes_question_image_needs_alt",
                violation_error_message=_(
                    "Describe the illustration for trainees who cannot see it."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(active=False) | ~models.Q(explanation=""),
                name="quizzes_question_active_needs_explanation",
                violation_error_message=_(
                    "Write an explanation before making the question active: trainees only "
                    "meet questions that teach why."
                ),
            ),
        ]
        indexes = [models.Index(fields=["topic", "active"])]

    def __str__(self):
        return f"{self.key}: {shorten(self.prompt, 60, placeholder=' …')}"

    def source_label(self) -> str:
        """The source in plain words, as a trainee reads it under the explanation."""
        if not self.source_document:
            return self.source_section
        document = SourceDocument(self.source_document).label
        return f"{document} — {self.source_section}" if self.source_section else document

    def clean(self):
        self.prompt = self.prompt.strip()
        self.explanation = self.explanation.strip()
        self.image_alt = self.image_alt.strip()
        if not self.prompt:
            raise ValidationError({"prompt": _("Write the question's prompt.")})
        if self.image and not self.image_alt:
            raise ValidationError(
                {"image_alt": _("Describe the illustration for trainees who cannot see it.")}
            )
        if self.active and not self.explanation:
            raise ValidationError(
                {
                    "explanation": _(
                        "Write an explanation before making the question active: trainees "
                        "only meet questions that teach why."
                    )
                }
            )

    def validate_choices(self, choices: Sequence[ChoiceDraft]) -> None:
        """Raise ValidationError unless these choices suit the question's kind.

        The admin's inline formset and every importer call this, so the rules live in one place.
        """
        errors = []
        if len(choices) < 2:
            errors.append(_("A question needs at least two choices."))
        for number, choice in enumerate(choices, start=1):
            if not choice.text.strip():
                errors.append(_("Choice %(number)d has no text.") % {"number": number})
        correct = sum(1 for choice in choices if choice.is_correct)
        wrong = len(choices) - correct
        if self.kind == self.Kind.SINGLE and correct != 1:
            errors.append(
                ngettext(
                    "A single-answer question needs exactly one correct choice; it has %(n)d.",
                    "A single-answer question needs exactly one correct choice; it has %(n)d.",
                    correct,
                )
                % {"n": correct}
            )
        elif self.kind == self.Kind.MULTIPLE:
            if correct < 1:
                errors.append(_("A multiple-answer question needs at least one correct choice."))
            if wrong < 1:
                errors.append(_("A multiple-answer question needs at least one wrong choice."))
        elif self.kind == self.Kind.TRUE_FALSE and (len(choices) != 2 or correct != 1):
            errors.append(_("A true/false question has exactly two choices, one of them correct."))
        if errors:
            raise ValidationError(errors)


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    text = models.TextField(_("text"))
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(
        _("feedback"),
        blank=True,
        help_text=_("Optional; shown after submission to whoever chose it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="quizzes_choice_text_set"),
        ]

    def __str__(self):
        return self.text


class AuditLogRefused(Exception):
    """The audit log is append-only: a row is never changed or deleted once written."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogRefused("The audit log is append-only: its rows cannot be updated.")

    def delete(self):
        raise AuditLogRefused("The audit log is append-only: its rows cannot be deleted.")


class AuditLogEntry(models.Model):
    """Who did what to which object, and the object before and after: written in the same
    transaction as the change itself (see quizzes/audit.py), and never changed afterwards.

    On PostgreSQL a trigger refuses UPDATE and DELETE too (migration 0014).
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # No database constraint and nothing done on delete: a row outlives the account that acted,
    # and `actor_name` keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("who"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("kind of object"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        base_manager_name = "objects"
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogRefused("The audit log is append-only: its rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogRefused("The audit log is append-only: its rows cannot be deleted.")


class BankImport(models.Model):
    """An uploaded question file, parsed and previewed, waiting to be applied by an instructor."""

    class Format(models.TextChoices):
        JSON = "json", _("JSON")
        GIFT = "gift", _("GIFT (Moodle)")

    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8, choices=Format.choices)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    content = models.BinaryField()
    # The file as read and checked at upload (importers.ImportPlan as JSON), so a preview of a
    # large file is not parsed again on every view. Empty for uploads made before it was kept.
    plan = models.JSONField(null=True, blank=True, editable=False)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bank import")
        verbose_name_plural = _("bank imports")

    def __str__(self):
        return self.file_name


class ReviewMoment(models.TextChoices):
    """When a trainee looks back at a submitted attempt (after Moodle's review options)."""

    AFTER_ATTEMPT = "after_attempt", _("Immediately after the attempt")
    AFTER_PASS = "after_pass", _("Once the trainee has passed")
    AFTER_CLOSE = "after_close", _("Once the quiz has closed for the trainee")


class ReviewItem(models.TextChoices):
    """What a trainee may see of a submitted attempt."""

    SCORE = "score", _("The score")
    TOPIC_SCORES = "topic_scores", _("The score in each topic")
    CORRECTNESS = "correctness", _("Whether each answer was right")
    RIGHT_ANSWERS = "right_answers", _("The right answers")
    EXPLANATIONS = "explanations", _("The explanations")


class Quiz(models.Model):
    """What a trainee takes: how questions are drawn, how it is passed, how often to take it."""

    class Purpose(models.TextChoices):
        PRACTICE = "practice", _("Practice")
        CERTIFICATION = "certification", _("Certification")

    # What a trainee sees of a submitted attempt unless an instructor chose otherwise: practice
    # teaches, so it shows everything at once; the certification shows scores only.
    REVIEW_DEFAULTS = {
        Purpose.PRACTICE: {moment: list(ReviewItem.values) for moment in ReviewMoment.values},
        Purpose.CERTIFICATION: {
            moment: [ReviewItem.SCORE, ReviewItem.TOPIC_SCORES] for moment in ReviewMoment.values
        },
    }

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=16,
        choices=Purpose.choices,
        default=Purpose.PRACTICE,
        help_text=_("Passing a certification quiz issues a completion record."),
    )
    fixed_questions = models.ManyToManyField(
        Question,
        blank=True,
        related_name="+",
        verbose_name=_("fixed questions"),
        help_text=_("Always asked, besides any questions drawn by the draw rules."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    topic_floor = models.PositiveSmallIntegerField(
        _("topic floor (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("A pass also needs every topic at or above this score."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempt limit"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cooldown_minutes = models.PositiveIntegerField(
        _("cooldown between attempts (minutes)"), default=0
    )
    validity_days = models.PositiveSmallIntegerField(
        _("completion record valid for (days)"), default=365, validators=[MinValueValidator(1)]
    )
    published = models.BooleanField(_("published"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    trainer = models.ForeignKey(
        "academy.Trainer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
        verbose_name=_("trainer in charge"),
        help_text=_("Printed on the completion records this quiz issues from now on."),
    )
    study_hours = models.DecimalField(
        _("study time (hours)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("How long the course takes to study, printed on completion records."),
    )
    # {moment: [review items]}; a moment left out takes REVIEW_DEFAULTS for the purpose.
    review_options = models.JSONField(_("review options"), default=dict, blank=True)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="quiz_pass_mark_pct"
            ),
            models.CheckConstraint(
                condition=models.Q(topic_floor__lte=100), name="quiz_topic_floor_pct"
            ),
            models.CheckConstraint(
                condition=models.Q(purpose__in=["practice", "certification"]),
                name="quiz_purpose_known",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_certification(self) -> bool:
        return self.purpose == self.Purpose.CERTIFICATION

    # Whether the start rule has anything to check: an attempt limit or a cooldown.
    LIMITED = models.Q(max_attempts__isnull=False) | models.Q(cooldown_minutes__gt=0)

    @property
    def is_limited(self) -> bool:
        return self.max_attempts is not None or self.cooldown_minutes > 0

    def review_items(self, moment: str) -> set[str]:
        """What a trainee may see of a submitted attempt at this moment."""
        if moment in self.review_options:
            return set(self.review_options[moment])
        return set(self.REVIEW_DEFAULTS[self.purpose][moment])


class DrawRule(models.Model):
    """Draw this many active questions at random from this topic."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="draw_rules", verbose_name=_("quiz")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="+", verbose_name=_("topic")
    )
    count = models.PositiveSmallIntegerField(_("questions"), validators=[MinValueValidator(1)])
    floor = models.PositiveSmallIntegerField(
        _("topic floor (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty to use the quiz's topic floor."),
    )

    class Meta:
        ordering = ["topic__order", "id"]
        verbose_name = _("draw rule")
        verbose_name_plural = _("draw rules")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "topic"], name="drawrule_one_per_topic"),
            models.CheckConstraint(
                condition=models.Q(count__gte=1), name="drawrule_count_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(floor__isnull=True) | models.Q(floor__lte=100),
                name="drawrule_floor_pct",
            ),
        ]

    def __str__(self):
        return ngettext(
            "%(count)d question from %(topic)s", "%(count)d questions from %(topic)s", self.count
        ) % {"count": self.count, "topic": self.topic}


class Attempt(models.Model):
    """One sitting of a quiz by a trainee, with its questions drawn and snapshotted at start.

    When the trainee deletes their account, their submitted attempts stay, without anyone's
    name, for the quiz's statistics (accounts/personal_data.py).
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
        verbose_name=_("trainee"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz")
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The rules in force when the attempt started: a later edit of the quiz changes nothing here.
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    topic_floor = models.PositiveSmallIntegerField(_("topic floor (%)"))
    # {"<topic id>": floor} where a rule sets one
    topic_floors = models.JSONField(_("topic floors of the draw rules"), default=dict)
    question_count = models.PositiveSmallIntegerField(_("questions"))
    last_position = models.PositiveSmallIntegerField(_("last question seen"), default=1)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    is_missed_practice = models.BooleanField(_("missed practice"), default=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "quiz"],
                condition=models.Q(submitted_at=None),
                name="attempt_one_open_per_quiz",
                violation_error_message=_("You already have this quiz in progress."),
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="attempt_score_pct",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_at=None) | models.Q(score__isnull=False),
                name="attempt_submitted_is_graded",
            ),
        ]
        indexes = [
            models.Index(fields=["trainee", "quiz", "started_at"]),
            models.Index(
                fields=["deadline"],
                condition=models.Q(submitted_at=None),
                name="attempt_open_deadline",
            ),
            # The graded attempts of a quiz ranked by score: the item analysis finds the
            # bounds of its upper and lower groups by walking this index.
            models.Index(
                fields=["quiz", "score", "id"],
                condition=models.Q(submitted_at__isnull=False),
                name="attempt_graded_by_score",
            ),
        ]

    def __str__(self):
        return f"{self.trainee} — {self.quiz} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def is_past_deadline(self, now) -> bool:
        return self.deadline is not None and now >= self.deadline

    def accepts_answers(self, now) -> bool:
        return not self.is_submitted and not self.is_past_deadline(now)

    def seconds_left(self, now) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))

    def minutes_spent(self) -> int | None:
        """Minutes from the start to the submission (or the deadline, if that came first)."""
        if self.submitted_at is None:
            return None
        end = min(self.submitted_at, self.deadline) if self.deadline else self.submitted_at
        return max(0, round((end - self.started_at).total_seconds() / 60))


class DrawnQuestion(models.Model):
    """A question as the attempt drew it (a snapshot), and the trainee's response to it.

    One row per drawn question holds the response too, so "one response per drawn question"
    holds by construction. Choices are kept in the question's own order; `display_order` is the
    order the trainee sees. `selected` and `correct` are bit masks over that own order, so the
    database can count choices picked without reading the rows into Python.
    """

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="drawn", verbose_name=_("attempt")
    )
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="drawings", verbose_name=_("question")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="+", verbose_name=_("topic")
    )
    topic_name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Question.Kind.choices)
    prompt = models.TextField()
    explanation = models.TextField()
    source = models.CharField(max_length=400, default="")
    image = models.CharField(max_length=200, default="")  # storage name of the illustration
    image_alt = models.CharField(max_length=300, default="")
    critical = models.BooleanField(default=False)
    # Drawn as a certification-only question: its key is never shown to the trainee.
    secure = models.BooleanField(default=False)
    choices = models.JSONField()  # [{"text": ..., "feedback": ...}] in the question's own order
    display_order = models.JSONField()  # indexes into choices, as shown
    correct = models.PositiveIntegerField()  # bit i set: choice i is right
    # Identifies the wording and choices drawn: figures per choice are only comparable between
    # drawings of the same version (an instructor may have edited the question in between).
    version = models.CharField(max_length=16, default="")
    selected = models.PositiveIntegerField(null=True, blank=True)  # None: not answered
    answered_at = models.DateTimeField(null=True, blank=True)
    # Practice: the trainee pressed "Check"; the answer is marked and can no longer change.
    checked_at = models.DateTimeField(null=True, blank=True)
    earned = models.FloatField(null=True, blank=True)  # 0..1, set when graded

    class Meta:
        ordering = ["attempt", "position"]
        verbose_name = _("drawn question")
        verbose_name_plural = _("drawn questions")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="drawn_position_unique"),
            models.UniqueConstraint(fields=["attempt", "question"], name="drawn_question_once"),
            models.CheckConstraint(
                condition=models.Q(earned__isnull=True) | models.Q(earned__gte=0, earned__lte=1),
                name="drawn_earned_fraction",
            ),
        ]
        indexes = [
            # Covers the instructor pages' passes over every response (item analysis, cohort
            # mastery): the database reads these narrow entries, not the wide snapshot rows
            # with their prompt and choices (a PostgreSQL index-only scan, a SQLite covering
            # index).
            models.Index(
                fields=["attempt", "question", "version", "topic", "earned", "selected"],
                name="drawn_insight_cover",
            ),
        ]

    def __str__(self):
        return f"{self.attempt_id}#{self.position}"

    def shown_choices(self) -> list[tuple[int, dict]]:
        """(index, choice) pairs in the order the trainee sees them."""
        return [(index, self.choices[index]) for index in self.display_order]

    def image_url(self) -> str:
        return default_storage.url(self.image) if self.image else ""

    def is_selected(self, index: int) -> bool:
        return self.selected is not None and bool(self.selected >> index & 1)

    def is_correct_choice(self, index: int) -> bool:
        return bool(self.correct >> index & 1)


CREDIT_SCALE = 1_000_000  # earned is kept to six decimals: tallies add it up in millionths
MAX_CHOICES = 8  # choices per question whose picks the item analysis counts


class RunningTotal(models.Model):
    """What every tally counts for its quiz: responses, and their credit in millionths."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="+")
    responses = models.PositiveIntegerField(default=0)
    credit = models.BigIntegerField(default=0)  # the sum of earned, in millionths

    class Meta:
        abstract = True


class TopicTally(RunningTotal):
    """Responses and credit per quiz, month of submission (UTC) and topic, for cohort mastery.

    A running total, added to in the transaction that grades each attempt
    (quizzes/tallies.py), so the cohort page reads a few hundred rows instead of every response.
    """

    month = models.DateField()  # the first day of the month the attempts were submitted in
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "month", "topic"], name="topic_tally_one_per_month"
            ),
        ]

    def __str__(self):
        return f"{self.quiz_id} {self.month:%Y-%m} topic {self.topic_id}"


class ItemTally(RunningTotal):
    """Responses, credit and choice picks per quiz, question and version, for the item analysis.

    A running total, added to in the transaction that grades each attempt (quizzes/tallies.py).
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=16)
    newest_attempt_id = models.PositiveBigIntegerField(default=0)
    sample_id = models.PositiveBigIntegerField(default=0)  # the newest drawn question's id
    # How many responses ticked each choice (in the question's own order).
    picked_0 = models.PositiveIntegerField(default=0)
    picked_1 = models.PositiveIntegerField(default=0)
    picked_2 = models.PositiveIntegerField(default=0)
    picked_3 = models.PositiveIntegerField(default=0)
    picked_4 = models.PositiveIntegerField(default=0)
    picked_5 = models.PositiveIntegerField(default=0)
    picked_6 = models.PositiveIntegerField(default=0)
    picked_7 = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "question", "version"], name="item_tally_one_per_version"
            ),
        ]

    def __str__(self):
        return f"{self.quiz_id} question {self.question_id} {self.version}"


class ScoreTally(RunningTotal):
    """Responses and credit per quiz, question and attempt score, for the discrimination.

    A running total like ItemTally. Keyed by the attempt's score, so that the upper and lower
    groups (attempts ranked by score) are sums of whole rows, except at the two boundary scores.
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "question", "score"], name="score_tally_one_per_score"
            ),
        ]

    def __str__(self):
        return f"{self.quiz_id} question {self.question_id} at {self.score}"


class AttemptOverride(models.Model):
    """An instructor's accommodation or second chance for one trainee at one quiz."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attempt_overrides",
        verbose_name=_("trainee"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("quiz")
    )
    extra_minutes = models.PositiveSmallIntegerField(
        _("extra time (minutes)"), default=0, help_text=_("Added to every attempt's time limit.")
    )
    extra_attempts = models.PositiveSmallIntegerField(
        _("extra attempts"), default=0, help_text=_("Added to the quiz's attempt limit.")
    )
    cooldown_lifted_at = models.DateTimeField(
        _("cooldown lifted at"),
        null=True,
        blank=True,
        help_text=_("Attempts submitted before this moment no longer make the trainee wait."),
    )
    reason = models.TextField(_("reason"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attempt override")
        verbose_name_plural = _("attempt overrides")
        constraints = [
            models.UniqueConstraint(fields=["trainee", "quiz"], name="override_one_per_quiz"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="override_has_reason"),
        ]

    def __str__(self):
        return f"{self.trainee} — {self.quiz}"


class RecordRetained(Exception):
    """A completion record cannot be deleted before its retention date."""


# Training records are kept three years from the training date (OSHA 29 CFR 1910.1030(h)(2)),
# and never before they expire: 1096 days are three years with their leap day.
RECORD_RETENTION = timedelta(days=1096)


def past_retention(now) -> models.Q:
    """The rule of CompletionRecord.retain_until as a filter: records that may be deleted."""
    return models.Q(issued_at__lte=now - RECORD_RETENTION, expires_at__lte=now)


def _forget_certificates_on_commit(record_ids) -> None:
    """Once the deletion commits, delete the records' kept certificates: they print the
    holder's name, and nothing may outlive the record it proves."""
    from .certificate_files import forget_certificates  # it reads these models

    # robust: a storage error is logged, and cannot turn a committed deletion into an error page.
    transaction.on_commit(partial(forget_certificates, record_ids), robust=True)


class CompletionRecordQuerySet(models.QuerySet):
    def past_retention(self, now):
        return self.filter(past_retention(now))

    def delete(self):
        """Refuse unless every record here is past its retention date."""
        now = timezone.now()
        if self.exclude(past_retention(now)).exists():
            raise RecordRetained(
                _("A completion record cannot be deleted before its retention date.")
            )
        _forget_certificates_on_commit(list(self.values_list("pk", flat=True)))
        return super().delete()

    def with_status(self, now):
        """Annotate `current_status`: Valid, Expiring, Expired or Revoked at `now`.

        The one place the rule is written: the model, the admin filter, the gradebook (in a
        subquery) and the CSV export all read this annotation.
        """
        return self.annotate(current_status=status_expression(now))


EXPIRING_WITHIN_DAYS = 30
# Positions in the revocation status list: the W3C Bitstring Status List's minimum size (16 KB),
# so a verifier fetching the list gives away nothing about which record it checks.
STATUS_LIST_SIZE = 131_072


def status_bounds(now) -> tuple:
    """The two instants the status rule compares a record's expiry with: now, and the start
    of the window in which a record counts as expiring."""
    return now, now + timedelta(days=EXPIRING_WITHIN_DAYS)


def status_expression(now) -> models.Case:
    """The record-status rule as a database expression over a record's own fields."""
    return status_case(*status_bounds(now))


def status_case(now, soon) -> models.Case:
    """The rule itself, given its two instants (status_bounds)."""
    return models.Case(
        models.When(revoked_at__isnull=False, then=models.Value(CompletionRecord.Status.REVOKED)),
        models.When(expires_at__lte=now, then=models.Value(CompletionRecord.Status.EXPIRED)),
        models.When(expires_at__lte=soon, then=models.Value(CompletionRecord.Status.EXPIRING)),
        default=models.Value(CompletionRecord.Status.VALID),
        output_field=models.CharField(),
    )


class CompletionRecord(models.Model):
    """Proof that a trainee passed a certification quiz, verifiable by anyone with its code.

    It keeps a snapshot of what a training audit asks for, so it reads the same whatever later
    happens to the quiz, the questions or the trainee's profile.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRING = "expiring", _("Expiring")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    CURRENT = (Status.VALID, Status.EXPIRING)  # statuses a certificate may be shown in

    verification_code = models.CharField(
        _("verification code"), max_length=64, unique=True, editable=False
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="completion_records",
        verbose_name=_("trainee"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="completion_records", verbose_name=_("quiz")
    )
    attempt = models.OneToOneField(
        Attempt,
        null=True,
        on_delete=models.SET_NULL,
        related_name="completion_record",
        verbose_name=_("attempt"),
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewal",
        verbose_name=_("previous record"),
    )
    holder_name = models.CharField(_("holder's name"), max_length=150)
    holder_job_title = models.CharField(_("holder's job title"), max_length=150, blank=True)
    quiz_title = models.CharField(_("quiz"), max_length=200)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    topics = models.JSONField(_("topics"), default=list)  # [{"name": ..., "percent": ...}]
    issuer_name = models.CharField(_("issuer"), max_length=200)
    trainer_name = models.CharField(_("trainer"), max_length=200, blank=True)
    trainer_qualification = models.CharField(
        _("trainer's qualification"), max_length=200, blank=True
    )
    # The stored name of the trainer's signature when issued; uploads never reuse a name.
    trainer_signature = models.FileField(
        _("trainer's signature"), max_length=200, blank=True, editable=False
    )
    study_hours = models.DecimalField(
        _("study time (hours)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    assessment_minutes = models.PositiveIntegerField(
        _("time in the assessment (minutes)"), null=True, blank=True
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)
    # The smallest reminder threshold (30, 7, 1 days) already emailed, so each is sent once.
    last_reminder_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Its bit in the revocation status list, drawn at random so the position says nothing.
    status_list_index = models.PositiveIntegerField(
        _("status list index"), unique=True, editable=False
    )
    # The holder's email as Open Badges publishes it: sha256 of email and salt, kept at issue
    # so the badge still binds to its holder after the account is gone.
    identity_salt = models.CharField(max_length=32, blank=True, editable=False)
    identity_hash = models.CharField(max_length=71, blank=True, editable=False)
    # When the instructors' digest announced the record as expiring, then as expired.
    expiring_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    expired_announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CompletionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("completion record")
        verbose_name_plural = _("completion records")
        permissions = [("revoke_completionrecord", _("Can revoke completion records"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")),
                name="record_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(revoked_at=None, revocation_reason="")
                    | (~models.Q(revoked_at=None) & ~models.Q(revocation_reason=""))
                ),
                name="record_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(verification_code=""), name="record_code_set"
            ),
            models.CheckConstraint(
                condition=models.Q(status_list_index__lt=STATUS_LIST_SIZE),
                name="record_status_list_index_in_list",
            ),
        ]
        indexes = [
            models.Index(fields=["trainee", "quiz", "issued_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self):
        return f"{self.holder_name} — {self.quiz_title} ({self.issued_at:%Y-%m-%d})"

    def status(self, now) -> str:
        """The status at `now`: read from `with_status(now)` when loaded so, else one query."""
        annotated = getattr(self, "current_status", None)
        if annotated is not None:
            return annotated
        return (
            CompletionRecord.objects.with_status(now)
            .values_list("current_status", flat=True)
            .get(pk=self.pk)
        )

    def status_label(self, now) -> str:
        return self.Status(self.status(now)).label

    @property
    def retain_until(self):
        """The date before which no one may delete the record: 3 years after the training,
        and not before it expires (the same rule as `past_retention`)."""
        return max(self.issued_at + RECORD_RETENTION, self.expires_at)

    def delete(self, *args, **kwargs):
        if timezone.now() < self.retain_until:
            raise RecordRetained(
                _("This record is kept until %(date)s and cannot be deleted before then.")
                % {"date": f"{self.retain_until:%Y-%m-%d}"}
            )
        _forget_certificates_on_commit([self.pk])
        return super().delete(*args, **kwargs)

    def days_left(self, now) -> int:
        """Days until expiry, counting a part of a day as a day; 0 once expired."""
        seconds = (self.expires_at - now).total_seconds()
        return max(0, math.ceil(seconds / 86400))
