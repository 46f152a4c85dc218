from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from smptraining.clients import client_address

from . import throttling
from .forms import (
    DeleteAccountForm,
    LoginForm,
    ProfileForm,
    SignupForm,
    ThrottledPasswordResetForm,
)
from .personal_data import delete_account, export_personal_data
from .registration import ResendRefused, resend_verification, sign_up
from .verification import VerificationRefused, user_for_link, verify_email


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """Create an account; the answer is the same whether or not the email was taken."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not throttling.allow_signup(address=client_address(request), now=timezone.now()):
            form.add_error(
                None, _("Too many sign-ups have come from your network. Try again in an hour.")
            )
        else:
            data = form.cleaned_data
            sign_up(
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                job_title=data["job_title"],
            )
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@require_safe
def signup_done(request):
    return render(request, "accounts/signup_done.html")


@require_http_methods(["GET", "HEAD", "POST"])
def verify_email_link(request, uidb64, token):
    """GET asks to confirm (mail scanners open links; they must not use them up); POST uses it."""
    try:
        if request.method != "POST":
            user_for_link(uidb64, token)
            return render(request, "accounts/verify_email.html")
        user, issued = verify_email(uidb64=uidb64, token=token, now=timezone.now())
    except VerificationRefused as refusal:
        return render(
            request, "accounts/verify_email_refused.html", {"reason": str(refusal)}, status=400
        )
    message = _("Your email address is confirmed.")
    if issued:
        message += " " + ngettext(
            "Your completion record has been issued.",
            "Your completion records have been issued.",
            issued,
        )
    messages.success(request, message)
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("quizzes:my_records" if issued else "home")
    return redirect(settings.LOGIN_URL)


@login_required
@require_POST
def resend_verification_email(request):
    try:
        resend_verification(user=request.user, now=timezone.now())
    except ResendRefused as refusal:
        messages.warning(request, str(refusal))
    else:
        messages.success(
            request,
            _("We have sent a new link to %(email)s. It works once, for three days.")
            % {"email": request.user.email},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "home"
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Log in; unless "Keep me signed in" is ticked, the session ends with the browser."""

    form_class = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.cleaned_data.get("keep_signed_in"):
            self.request.session.set_expiry(settings.SESSION_KEEP_SIGNED_IN_AGE)
        else:
            self.request.session.set_expiry(0)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@login_required
@require_safe
def export_data(request):
    """Everything held about the signed-in person, as a JSON file named with today's date."""
    now = timezone.now()
    response = JsonResponse(
        export_personal_data(request.user, now=now),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = (
        f'attachment; filename="smp-training-data-{timezone.localdate(now):%Y-%m-%d}.json"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account_view(request):
    """Explain what deleting keeps and what it removes, then delete on the password."""
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user, actor=request.user, now=timezone.now())
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect("home")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "records": request.user.completion_records.order_by("issued_at")},
    )


class LogoutView(auth_views.LogoutView):
    """Log out on POST only; a GET shows a page with the button (a link must not log out)."""

    http_method_names = ["get", "head", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have been logged out."))
        return response
