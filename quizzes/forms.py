from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Topic
from .textfiles import TextFileError, check_size


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
        try:
            check_size(upload.size)
        except TextFileError as error:
            raise forms.ValidationError(str(error), code="too_large") from None
        return upload

    def file_format(self) -> str:
        return "json" if self.cleaned_data["file"].name.lower().endswith(".json") else "gift"
