from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.views import LoginView, LogoutView, PasswordResetView

from . import views

admin.site.site_header = _("SMP Safety Training — instructors")
admin.site.site_title = _("SMP Safety Training")
admin.site.index_title = _("Questions, quizzes and records")
admin.site.login_form = AdminLoginForm
# The side menu would take a quarter of a laptop's width from every list; the breadcrumbs and
# the instructor home lead everywhere instead.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("media/<path:name>", views.media, name="media"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include(auth_urls)),
    path("", include("quizzes.urls")),
    path("instructor/", include("quizzes.insight_urls")),
    path("admin/", admin.site.urls),
]
