from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Safety training")

    def ready(self):
        # Listens from the first request on: a result page shown then keeps its certificate.
        from smptraining import after_response  # noqa: F401
