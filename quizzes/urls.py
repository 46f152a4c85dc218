from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("study/", views.topic_list, name="topic_list"),
    path("study/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("quizzes/", views.quiz_list, name="quiz_list"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<slug:slug>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.resume, name="resume"),
    path("attempts/<int:attempt_id>/questions/<int:position>/", views.question, name="question"),
    path("attempts/<int:attempt_id>/review/", views.review, name="review"),
    path("attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<int:attempt_id>/result/", views.result, name="result"),
    path("history/", views.history, name="history"),
    path("history/practice-missed/", views.practice_missed, name="practice_missed"),
]
