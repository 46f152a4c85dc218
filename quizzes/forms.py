from django import forms
from django.utils.translation import gettext_lazy as _

from .gift import MAX_IMPORT_BYTES
from .models import Topic


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        help_text=_("Our JSON export (.json) or a Moodle GIFT file (.gift or .txt), at most 5 MB."),
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        label=_("Topic for GIFT questions"),
        help_text=_("Leave empty to use each question's $CATEGORY."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than the 5 MB limit."), code="too_large"
            )
        return upload

    def file_format(self) -> str:
        return "json" if self.cleaned_data["file"].name.lower().endswith(".json") else "gift"
