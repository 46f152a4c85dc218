from django.urls import path

from . import insight_views

app_name = "insight"

urlpatterns = [
    path("", insight_views.home, name="home"),
    path("gradebook/", insight_views.gradebook, name="gradebook"),
    path("trainees/<int:user_id>/", insight_views.trainee, name="trainee"),
    path("attempts/<int:attempt_id>/", insight_views.attempt, name="attempt"),
    path("quizzes/<int:quiz_id>/analysis/", insight_views.item_analysis, name="item_analysis"),
    path("cohort/", insight_views.cohort, name="cohort"),
]
