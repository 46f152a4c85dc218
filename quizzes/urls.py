from django.urls import path, re_path, register_converter

from . import record_views, views
from .converters import VerificationCodeConverter

app_name = "quizzes"
register_converter(VerificationCodeConverter, "code")

urlpatterns = [
    path("study/", views.topic_list, name="topic_list"),
    path("study/sources/", views.sources, name="sources"),
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
    path("records/", record_views.my_records, name="my_records"),
    path("records/<code:code>/certificate.pdf", record_views.record_pdf, name="record_pdf"),
    path("verify/", record_views.verify_form, name="verify_form"),
    path("verify/revocations.json", record_views.revocation_list, name="revocation_list"),
    path("verify/status-list", record_views.status_list, name="status_list"),
    path("verify/status-list.json", record_views.status_list_json, name="status_list_json"),
    path("verify/<code:code>.json", record_views.verify_json, name="verify_json"),
    path("verify/<code:code>.jwt", record_views.verify_jwt, name="verify_jwt"),
    path("verify/<code:code>/", record_views.verify, name="verify"),
    # Any other code page: the page of the code meant, or "not known", without the database.
    re_path(
        r"^verify/(?P<code>[^/]+)(?<!\.json)(?<!\.jwt)/\Z",
        record_views.malformed_code,
        name="verify_malformed",
    ),
    path("issuer", record_views.issuer_profile, name="issuer_profile"),
    path(".well-known/jwks.json", record_views.jwks, name="jwks"),
]
