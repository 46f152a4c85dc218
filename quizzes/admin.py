import csv
import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit
from .attempts import set_override
from .exporters import BankFile, bank_file, csv_cell
from .forms import BankUploadForm
from .grading import whole_percent
from .importers import ImportRejected, apply_upload, read_upload, stored_plan
from .models import (
    Attempt,
    AttemptOverride,
    AuditLogEntry,
    BankImport,
    Choice,
    ChoiceDraft,
    CompletionRecord,
    DrawRule,
    Question,
    Quiz,
    ReviewItem,
    ReviewMoment,
    Topic,
)
from .questions import duplicate_question
from .records import RecordRefused, revoke_record
from .templatetags.record_codes import verification_code


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the site's workflows: the admin shows them, nobody edits them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made here writes an audit row with before and after.

    Django's own log (LogEntry) keeps only a message; this keeps the field values, the
    choices of a question and the draw rules of a quiz, in the admin's own transaction.
    """

    def save_model(self, request, obj, form, change):
        # The form has already changed `obj` in memory: read "before" from the database.
        # Kept on the request until save_related, which runs after the inlines are saved.
        if change:
            request.audit_before = audit.snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "audit_before", None) if change else None
        after = audit.snapshot(obj)
        if change and before == after:
            return  # saved without a change
        audit.log_action(
            actor=request.user,
            action=f"{obj._meta.label_lower}.{'changed' if change else 'added'}",
            obj=obj,
            before=before,
            after=after,
        )

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._log_deleted(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self._log_deleted(request, obj)
            super().delete_queryset(request, queryset)

    def _log_deleted(self, request, obj):
        audit.log_action(
            actor=request.user,
            action=f"{obj._meta.label_lower}.deleted",
            obj=obj,
            before=audit.snapshot(obj),
        )


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ("name", "slug", "order", "question_count", "active_question_count")
    fields = ("name", "slug", "order", "study_notes", "referral_notes")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_count=Count("questions"),
                active_question_count=Count("questions", filter=Q(questions__active=True)),
            )
        )

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, topic):
        return topic.question_count

    @admin.display(description=_("active"), ordering="active_question_count")
    def active_question_count(self, topic):
        return topic.active_question_count


class ChoiceInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        """Name every input of the row: a table's column headings are not labels."""
        super().add_fields(form, index)
        row = _("new choice") if index is None else _("choice %(n)d") % {"n": index + 1}
        for field in form.fields.values():
            label = field.label or _("Delete")
            field.widget.attrs["aria-label"] = f"{label}, {row}"

    def clean(self):
        """Check the choices together against the question's kind, with the model's rules."""
        super().clean()
        if any(self.errors):
            return
        drafts = [
            ChoiceDraft(
                form.cleaned_data.get("text", ""), form.cleaned_data.get("is_correct", False)
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            self.instance.validate_choices(drafts)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class ChoiceForm(forms.ModelForm):
    class Meta:
        model = Choice
        fields = ("order", "text", "is_correct", "feedback")
        widgets = {
            "order": forms.NumberInput(attrs={"class": "choice-order"}),
            "text": forms.Textarea(attrs={"rows": 2, "cols": 44}),
            "feedback": forms.Textarea(attrs={"rows": 2, "cols": 34}),
        }


class ChoiceInline(admin.TabularInline):
    """One row per choice, the key a checkbox; the formset names each input for screen readers."""

    model = Choice
    form = ChoiceForm
    template = "admin/quizzes/question/choices_inline.html"
    formset = ChoiceInlineFormSet
    fields = ("order", "text", "is_correct", "feedback")
    extra = 0
    min_num = 2


@admin.register(Question)
class QuestionAdmin(AuditedAdmin):
    list_display = (
        "key",
        "short_prompt",
        "topic",
        "kind",
        "usage",
        "critical",
        "active",
    )  # the preview is a link on each question's page: the list keeps to what fits at 1280 px
    list_filter = ("topic", "kind", "usage", "critical", "active", "source_document")
    list_select_related = ("topic",)
    search_fields = ("key", "prompt", "explanation", "choices__text")
    readonly_fields = ("preview_link", "created_at", "updated_at")
    fields = (
        "topic",
        "key",
        "kind",
        "prompt",
        "image",
        "image_alt",
        "explanation",
        "source_document",
        "source_section",
        "usage",
        "critical",
        "active",
        "preview_link",
        "created_at",
        "updated_at",
    )
    inlines = [ChoiceInline]
    actions = ["activate", "deactivate", "duplicate", "export_json", "export_gift"]
    change_list_template = "admin/quizzes/question/change_list.html"
    list_per_page = 50

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A picture's description runs to a few sentences: a one-line box hides most of it.
        if db_field.name == "image_alt":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 5, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        """A question drawn into any attempt stays: deactivate it instead."""
        if obj is not None and obj.drawings.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("prompt"))
    def short_prompt(self, question):
        return question.prompt if len(question.prompt) <= 90 else question.prompt[:89] + "…"

    @admin.display(description=_("preview"))
    def preview_link(self, question):
        if not question.pk:
            return "—"
        url = reverse("admin:quizzes_question_preview", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview as a trainee sees it"))

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        # Searching choices joins them; distinct() keeps one row per question.
        return queryset.distinct(), False

    def _set_active(self, request, queryset, active: bool) -> int:
        """Switch the questions on or off, with an audit row for each one that changes."""
        with transaction.atomic():
            changing = list(queryset.filter(active=not active))
            Question.objects.filter(pk__in=[q.pk for q in changing]).update(active=active)
            for question in changing:
                audit.log_action(
                    actor=request.user,
                    action="quizzes.question.changed",
                    obj=question,
                    before={"active": not active},
                    after={"active": active},
                )
        return len(changing)

    @admin.action(description=_("Activate selected questions"), permissions=["change"])
    def activate(self, request, queryset):
        without = list(queryset.filter(explanation="").values_list("key", flat=True))
        count = self._set_active(request, queryset.exclude(explanation=""), True)
        self.message_user(
            request,
            ngettext("%(n)d question activated.", "%(n)d questions activated.", count)
            % {"n": count},
        )
        if without:
            self.message_user(
                request,
                _("Not activated, because they have no explanation yet: %(keys)s")
                % {"keys": ", ".join(without)},
                messages.WARNING,
            )

    @admin.action(description=_("Deactivate selected questions"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = self._set_active(request, queryset, False)
        self.message_user(
            request,
            ngettext("%(n)d question deactivated.", "%(n)d questions deactivated.", count)
            % {"n": count},
        )

    @admin.action(
        description=_("Duplicate selected questions (copies start inactive)"), permissions=["add"]
    )
    def duplicate(self, request, queryset):
        with transaction.atomic():
            copies = [duplicate_question(q) for q in queryset.prefetch_related("choices")]
            for copy in copies:
                audit.log_action(
                    actor=request.user,
                    action="quizzes.question.added",
                    obj=copy,
                    after=audit.snapshot(copy),
                )
        self.message_user(
            request,
            ngettext(
                "Created %(n)d inactive copy: %(keys)s",
                "Created %(n)d inactive copies: %(keys)s",
                len(copies),
            )
            % {"n": len(copies), "keys": ", ".join(c.key for c in copies)},
        )

    @admin.action(description=_("Export selected questions as JSON"), permissions=["view"])
    def export_json(self, request, queryset):
        return _download(bank_file(queryset, file_format="json", today=timezone.localdate()))

    @admin.action(description=_("Export selected questions as GIFT (Moodle)"), permissions=["view"])
    def export_gift(self, request, queryset):
        return _download(bank_file(queryset, file_format="gift", today=timezone.localdate()))

    def export_bank_view(self, request, file_format):
        """The whole bank, every topic and question, whatever the list shows."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _download(bank_file(None, file_format=file_format, today=timezone.localdate()))

    def get_urls(self):
        own = [
            path(
                "<int:question_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="quizzes_question_preview",
            ),
            re_path(
                r"^export/(?P<file_format>json|gift)/\Z",
                self.admin_site.admin_view(self.export_bank_view),
                name="quizzes_question_export",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="quizzes_question_import",
            ),
            path(
                "import/<int:import_id>/",
                self.admin_site.admin_view(self.import_preview_view),
                name="quizzes_question_import_preview",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request, question_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = get_object_or_404(Question.objects.select_related("topic"), pk=question_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Preview: %(key)s") % {"key": question.key},
            "question": question,
            "choices": question.choices.all(),
        }
        return TemplateResponse(request, "admin/quizzes/question/preview.html", context)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BankUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = BankImport(
                uploaded_by=request.user,
                file_name=form.cleaned_data["file"].name[:255],
                format=form.file_format(),
                topic=form.cleaned_data["topic"],
                content=form.cleaned_data["file"].read(),
            )
            try:
                read_upload(upload)
            except ImportRejected as error:
                form.add_error("file", _("%(error)s Nothing was imported.") % {"error": error})
            else:
                upload.save()
                return redirect("admin:quizzes_question_import_preview", upload.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import questions"),
            "form": form,
        }
        return TemplateResponse(request, "admin/quizzes/question/import.html", context)

    def _report_import(self, request, result, file_name):
        # Each count decides its own plural, so the sentence is put together from three parts.
        questions = ngettext("%(q)d question", "%(q)d questions", result.questions_created) % {
            "q": result.questions_created
        }
        topics = ngettext("%(t)d topic", "%(t)d topics", result.topics_created) % {
            "t": result.topics_created
        }
        unchanged = ngettext(
            "%(u)d was already in the bank.",
            "%(u)d were already in the bank.",
            result.questions_unchanged,
        ) % {"u": result.questions_unchanged}
        self.message_user(
            request,
            _("Imported %(questions)s and %(topics)s from %(file)s; %(unchanged)s")
            % {
                "questions": questions,
                "topics": topics,
                "file": file_name,
                "unchanged": unchanged,
            },
        )
        if result.inactive_keys:
            self.message_user(
                request,
                _("Imported inactive because they have no explanation: %(keys)s")
                % {"keys": ", ".join(result.inactive_keys)},
                messages.WARNING,
            )

    def import_preview_view(self, request, import_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        # The file itself is not read again: its plan was kept when it was uploaded.
        upload = get_object_or_404(BankImport.objects.defer("content"), pk=import_id)
        try:
            plan = stored_plan(upload)
        except ImportRejected as error:
            self.message_user(
                request, _("%(error)s Nothing was imported.") % {"error": error}, messages.ERROR
            )
            return redirect("admin:quizzes_question_import")
        if request.method == "POST" and upload.applied_at is None:
            try:
                result = apply_upload(upload_id=upload.pk, actor=request.user, now=timezone.now())
            except ImportRejected as error:
                self.message_user(
                    request,
                    _(
                        "The bank changed since the preview, so nothing was imported (%(why)s). "
                        "Check the file again."
                    )
                    % {"why": error},
                    messages.ERROR,
                )
                return redirect("admin:quizzes_question_import")
            if result is not None:
                self._report_import(request, result, upload.file_name)
                return redirect("admin:quizzes_question_changelist")
            upload.refresh_from_db()
        if upload.applied_at is not None:
            self.message_user(request, _("This file has already been imported."), messages.INFO)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Check the import of %(file)s") % {"file": upload.file_name},
            "upload": upload,
            "plan": plan,
        }
        return TemplateResponse(request, "admin/quizzes/question/import_preview.html", context)


def _download(bank: BankFile) -> HttpResponse:
    response = HttpResponse(bank.body, content_type=f"{bank.content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{bank.file_name}"'
    return response


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    """The audit trail can be read, never written or edited by hand."""

    list_display = ("created_at", "action", "object_repr", "actor_name")
    list_filter = ("action", "object_type", "created_at")
    search_fields = ("object_repr", "action", "actor_name", "object_id")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "created_at",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before_json",
        "after_json",
        "data_json",
    )

    @admin.display(description=_("before"))
    def before_json(self, entry):
        return _pretty_json(entry.before)

    @admin.display(description=_("after"))
    def after_json(self, entry):
        return _pretty_json(entry.after)

    @admin.display(description=_("data"))
    def data_json(self, entry):
        return _pretty_json(entry.data)


def _pretty_json(value) -> str:
    if value in (None, {}):
        return "—"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


class DrawRuleInlineFormSet(BaseInlineFormSet):
    def clean(self):
        """Refuse a rule asking for more questions than its topic has for this kind of quiz.

        A practice quiz counts only questions usable in practice (no certification-only ones).
        """
        super().clean()
        if any(self.errors):
            return
        rules = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        active = dict(
            Question.objects.filter(active=True, topic__in=[r["topic"] for r in rules])
            .for_quiz(self.instance)
            .values("topic")
            .annotate(n=Count("id"))
            .values_list("topic", "n")
        )
        errors = [
            _(
                "The topic “%(topic)s” has only %(have)d active questions; "
                "the rule asks for %(want)d."
            )
            % {"topic": r["topic"].name, "have": active.get(r["topic"].pk, 0), "want": r["count"]}
            for r in rules
            if r["count"] > active.get(r["topic"].pk, 0)
        ]
        if errors:
            raise ValidationError(errors)


class DrawRuleInline(admin.StackedInline):
    model = DrawRule
    formset = DrawRuleInlineFormSet
    extra = 0


def _review_field(moment: ReviewMoment) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=moment.label,
        choices=ReviewItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class QuizForm(forms.ModelForm):
    """The quiz with its review options as a row of checkboxes per moment."""

    review_defaults = forms.BooleanField(
        label=_("Use the usual options for the quiz's purpose"),
        required=False,
        initial=True,
        help_text=_(
            "Practice: everything, right after the attempt. Certification: the score and the "
            "topic scores only. Untick to choose below."
        ),
    )
    review_after_attempt = _review_field(ReviewMoment.AFTER_ATTEMPT)
    review_after_pass = _review_field(ReviewMoment.AFTER_PASS)
    review_after_close = _review_field(ReviewMoment.AFTER_CLOSE)

    class Meta:
        model = Quiz
        fields = (
            "title",
            "slug",
            "description",
            "purpose",
            "published",
            "order",
            "fixed_questions",
            "shuffle_questions",
            "shuffle_choices",
            "pass_mark",
            "topic_floor",
            "validity_days",
            "time_limit_minutes",
            "max_attempts",
            "cooldown_minutes",
            "trainer",
            "study_hours",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new quiz, or one left on the defaults, follows its purpose (a certification made
        # from a practice must not keep showing answers); the boxes show what that means now.
        self.fields["review_defaults"].initial = not self.instance.review_options
        for moment in ReviewMoment.values:
            self.fields[f"review_{moment}"].initial = sorted(self.instance.review_items(moment))

    def save(self, commit=True):
        if self.cleaned_data["review_defaults"]:
            self.instance.review_options = {}
        else:
            self.instance.review_options = {
                moment: self.cleaned_data[f"review_{moment}"] for moment in ReviewMoment.values
            }
        return super().save(commit)


@admin.register(Quiz)
class QuizAdmin(AuditedAdmin):
    form = QuizForm
    list_display = (
        "title",
        "analysis_link",
        "purpose",
        "published",
        "pass_mark",
        "topic_floor",
        "time_limit_minutes",
        "max_attempts",
    )
    list_filter = ("purpose", "published")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    # A search popup, not the two-box filter: that widget's icons fail axe (aria-label on a span).
    raw_id_fields = ("fixed_questions",)
    inlines = [DrawRuleInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "description", "purpose", "published", "order")}),
        (_("Questions"), {"fields": ("fixed_questions", "shuffle_questions", "shuffle_choices")}),
        (_("Passing"), {"fields": ("pass_mark", "topic_floor", "validity_days")}),
        (_("Limits"), {"fields": ("time_limit_minutes", "max_attempts", "cooldown_minutes")}),
        (_("On completion records"), {"fields": ("trainer", "study_hours")}),
        (
            _("What trainees see after an attempt"),
            {
                "fields": ["review_defaults", *(f"review_{m}" for m in ReviewMoment.values)],
                "description": _(
                    "Tick what a trainee sees at each moment; what a moment adds stays visible "
                    "after it. The right answers and explanations of certification-only "
                    "questions are never shown, whatever is ticked."
                ),
            },
        ),
    )

    @admin.display(description=_("statistics"))
    def analysis_link(self, quiz):
        url = reverse("insight:item_analysis", args=[quiz.pk])
        return format_html('<a href="{}">{}</a>', url, _("Item analysis"))


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    """Attempts are the trainees' own work: instructors read them, nobody edits them here."""

    list_display = (
        "trainee",
        "quiz",
        "started_at",
        "submitted_at",
        "score",
        "passed",
        "answers_link",
    )
    list_filter = ("quiz", "passed")
    list_select_related = ("trainee", "quiz")
    search_fields = ("trainee__email", "trainee__full_name")
    date_hierarchy = "started_at"

    @admin.display(description=_("answers"))
    def answers_link(self, attempt):
        url = reverse("insight:attempt", args=[attempt.pk])
        return format_html('<a href="{}">{}</a>', url, _("Question by question"))

    readonly_fields = ("answers_link",)


class AttemptOverrideForm(forms.ModelForm):
    lift_cooldown = forms.BooleanField(
        label=_("Lift the cooldown now"),
        required=False,
        help_text=_("The trainee may start again at once, whatever they submitted before now."),
    )

    class Meta:
        model = AttemptOverride
        fields = ("trainee", "quiz", "extra_minutes", "extra_attempts", "reason")
        help_texts = {
            "extra_attempts": _(
                "Added to the quiz's attempt limit. The wait between attempts still applies: "
                "tick “Lift the cooldown now” to let the trainee start at once."
            ),
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}


@admin.register(AttemptOverride)
class AttemptOverrideAdmin(admin.ModelAdmin):
    """Extra time, extra attempts or a lifted cooldown for one trainee, always with a reason."""

    form = AttemptOverrideForm
    list_display = ("trainee", "quiz", "extra_minutes", "extra_attempts", "cooldown_lifted_at")
    list_select_related = ("trainee", "quiz")
    search_fields = ("trainee__email", "trainee__full_name")
    autocomplete_fields = ("trainee",)  # a search box: a select of every user would not scale

    class Media:
        js = ["js/admin-autocomplete.js"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "trainee":
            field.widget.attrs["data-placeholder"] = _("Type a name or an email address")
        return field

    readonly_fields = ("cooldown_lifted_at", "updated_by", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # Who and which quiz are fixed once set; a new trainee or quiz is a new override.
        fixed = ("trainee", "quiz") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        """The workflow writes the override and its audit row; the admin only passes it on."""
        saved = set_override(
            trainee=obj.trainee,
            quiz=obj.quiz,
            extra_minutes=form.cleaned_data["extra_minutes"],
            extra_attempts=form.cleaned_data["extra_attempts"],
            lift_cooldown=form.cleaned_data["lift_cooldown"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # set the extras to zero instead: the audit log keeps the history


class RecordStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return CompletionRecord.Status.choices

    def queryset(self, request, queryset):
        if self.value() in CompletionRecord.Status.values:
            return queryset.filter(current_status=self.value())
        return queryset


class CertificationQuizFilter(admin.RelatedFieldListFilter):
    """Records come from certification quizzes only: practice quizzes are no choice here."""

    def field_choices(self, field, request, model_admin):
        return field.get_choices(
            include_blank=False,
            limit_choices_to={"purpose": Quiz.Purpose.CERTIFICATION},
            ordering=("order", "title"),
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_(
            "Kept for instructors here and in the audit log; the public page says only that the "
            "record was revoked. It cannot be changed afterwards."
        ),
    )


RECORD_CSV_COLUMNS = [
    "name",
    "job title",
    "quiz",
    "topics",
    "score",
    "issued",
    "expires",
    "status",
    "code",
    "trainer",
]


@admin.register(CompletionRecord)
class CompletionRecordAdmin(ReadOnlyAdmin):
    """Records are issued by grading and changed only by revocation: nothing here edits them."""

    list_display = (
        "holder_name",
        "quiz_title",
        "issued_at",
        "expires_at",
        "status_label",
        "code",
    )
    list_filter = (RecordStatusFilter, ("quiz", CertificationQuizFilter), "issued_at")
    search_fields = ("holder_name", "verification_code")

    def get_queryset(self, request):
        return super().get_queryset(request).with_status(timezone.now())

    date_hierarchy = "issued_at"
    actions = ["revoke", "export_csv"]
    readonly_fields = [
        "holder_name",
        "holder_job_title",
        "quiz_title",
        "score",
        "topics",
        "issued_at",
        "expires_at",
        "issuer_name",
        "trainer_name",
        "trainer_qualification",
        "verification_code",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
        "previous",
        "public_page",
        "kept_until",
    ]
    fields = readonly_fields

    @admin.display(description=_("kept until"))
    def kept_until(self, record):
        return record.retain_until

    def has_delete_permission(self, request, obj=None):
        # Deleting is for records past their retention date (purge_expired_records does it);
        # delete_view says why any other one stays.
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one record at a time, each checked
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        record = self.get_object(request, object_id)
        if record is not None and timezone.now() < record.retain_until:
            self.message_user(
                request,
                _("This record is kept until %(date)s and cannot be deleted before then.")
                % {"date": f"{record.retain_until:%Y-%m-%d}"},
                messages.ERROR,
            )
            return redirect("admin:quizzes_completionrecord_change", record.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description=_("status"))
    def status_label(self, record):
        return record.status_label(timezone.now())

    @admin.display(description=_("verification code"), ordering="verification_code")
    def code(self, record):
        return verification_code(record.verification_code)

    @admin.display(description=_("public page"))
    def public_page(self, record):
        url = reverse("quizzes:verify", args=[record.verification_code])
        return format_html('<a href="{}">{}</a>', url, url)

    def has_revoke_permission(self, request):
        return request.user.has_perm("quizzes.revoke_completionrecord")

    @admin.action(description=_("Revoke selected records…"), permissions=["revoke"])
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            now = timezone.now()
            revoked = 0
            for record in queryset.filter(revoked_at=None):
                try:
                    revoke_record(
                        record_id=record.pk,
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                        now=now,
                    )
                except RecordRefused:
                    continue  # revoked by someone else a moment ago
                revoked += 1
            self.message_user(
                request,
                ngettext("%(n)d record revoked.", "%(n)d records revoked.", revoked)
                % {"n": revoked},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Revoke completion records"),
            "records": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/quizzes/completionrecord/revoke.html", context)

    @admin.action(description=_("Export selected records as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        now = timezone.now()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="completion-records.csv"'
        writer = csv.writer(response, quoting=csv.QUOTE_ALL)
        writer.writerow(RECORD_CSV_COLUMNS)
        for record in queryset.order_by("issued_at"):
            trainer = ", ".join(filter(None, [record.trainer_name, record.trainer_qualification]))
            writer.writerow(
                csv_cell(cell)
                for cell in [
                    record.holder_name,
                    record.holder_job_title,
                    record.quiz_title,
                    "; ".join(t["name"] for t in record.topics),
                    whole_percent(record.score),
                    f"{record.issued_at:%Y-%m-%d}",
                    f"{record.expires_at:%Y-%m-%d}",
                    record.status_label(now),
                    record.verification_code,
                    trainer,
                ]
            )
        return response
