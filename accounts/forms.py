from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smptraining.clients import client_address

from . import throttling
from .models import User


class ThrottledLoginMixin:
    """Refuse a login our throttles forbid before trying it, and count each failure.

    An over-long or malformed email is the form's field error, so it never reaches
    authentication (nor django-axes, whose columns hold 255 characters).
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(throttling.EMAIL_MAX_LENGTH))

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        address, now = client_address(self.request), timezone.now()
        refusal = throttling.login_refusal(email=username, address=address, now=now)
        if refusal:
            raise forms.ValidationError(refusal, code="throttled")
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                throttling.record_login_failure(email=username, address=address, now=now)
            raise


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    keep_signed_in = forms.BooleanField(
        label=_("Keep me signed in"),
        required=False,
        help_text=_(
            "Leave this unticked on a shared computer: you are then logged out when the browser "
            "closes."
        ),
    )


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class ThrottledPasswordResetForm(PasswordResetForm):
    """A few reset requests per client address, and a few emails per email address.

    Past the per-email limit the page answers as usual and sends nothing, so it still does
    not tell whether the address has an account.
    """

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not throttling.allow_password_reset_request(
            address=client_address(self.request), now=timezone.now()
        ):
            raise forms.ValidationError(
                _("Too many reset requests have come from your network. Try again in an hour."),
                code="throttled",
            )
        return cleaned

    def get_users(self, email):
        if not throttling.allow_password_reset_email(email=email, now=timezone.now()):
            return []
        return super().get_users(email)


class SignupForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "job_title")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email", autofocus=True)
        self.fields["full_name"].widget.attrs.update(autocomplete="name")
        self.fields["job_title"].widget.attrs.update(autocomplete="organization-title")

    def clean_email(self):
        # Whether the address is taken is not the form's business: saying so would tell anyone
        # who has an account. The sign-up workflow answers the same either way.
        return User.objects.normalize_email(self.cleaned_data["email"])

    def _get_validation_exclusions(self):
        """Leave the email's uniqueness checks (field and constraint) to the workflow."""
        return {*super()._get_validation_exclusions(), "email"}

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("full_name", "job_title")

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your full name."))
        return name


class DeleteAccountForm(forms.Form):
    """Asks for the password once more: deleting an account cannot be undone."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your password. Your account has not been deleted.")
            )
        return password
