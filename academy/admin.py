from django.contrib import admin
from django.db import models

from quizzes.admin import AuditedAdmin

from .models import Academy, Trainer


@admin.register(Academy)
class AcademyAdmin(AuditedAdmin):
    """One academy: it can be edited, never added twice or deleted (certificates need it).

    Edits go to the audit trail: what the academy was called, and where, when a record was
    issued is a question an inspector may ask."""

    list_display = ("name", "email", "phone", "website")
    fields = ("name", "address", "email", "phone", "website", "logo")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Academy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Trainer)
class TrainerAdmin(AuditedAdmin):
    list_display = ("name", "qualification")
    search_fields = ("name", "qualification")
    fields = ("name", "qualification", "signature")
