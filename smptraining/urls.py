from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import LogoutView

from . import views

admin.site.site_header = _("SMP Safety Training — instructors")
admin.site.site_title = _("SMP Safety Training")
admin.site.index_title = _("Questions, quizzes and records")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("media/<path:name>", views.media, name="media"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include(auth_urls)),
    path("", include("quizzes.urls")),
    path("instructor/", include("quizzes.insight_urls")),
    path("admin/", admin.site.urls),
]
