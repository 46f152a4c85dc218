from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import User
from .personal_data import delete_account, what_deleting_keeps


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("email",)
    list_display = ("email", "full_name", "job_title", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "job_title")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def get_deleted_objects(self, objs, request):
        """The deletion workflow decides what goes with an account (attempts are anonymised,
        records kept), so rows this admin may not delete by hand do not stand in the way."""
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def render_delete_form(self, request, context):
        """The confirmation says what stays: Django's list shows only what is deleted."""
        context["keeps"] = what_deleting_keeps(context["object"])
        return super().render_delete_form(request, context)

    def delete_model(self, request, obj):
        delete_account(user=obj, actor=request.user, now=timezone.now())

    def delete_queryset(self, request, queryset):
        for user in queryset:
            delete_account(user=user, actor=request.user, now=timezone.now())
