from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("verify-email/resend/", views.resend_verification_email, name="resend_verification_email"),
    path("verify-email/<uidb64>/<token>/", views.verify_email_link, name="verify_email"),
    path("profile/", views.profile, name="profile"),
    path("profile/data.json", views.export_data, name="export_data"),
    path("profile/delete/", views.delete_account_view, name="delete_account"),
]
