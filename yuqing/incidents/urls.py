"""Addresses of the incident pages."""

from django.urls import path

from yuqing.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_create, name="case-create"),
    path("from-event/<int:event_id>/", views.case_from_event, name="case-from-event"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/move/", views.case_move, name="case-move"),
    path("<int:pk>/level/", views.case_level, name="case-level"),
    path("<int:pk>/people/", views.case_people, name="case-people"),
    path("<int:pk>/steps/<int:deadline_id>/meet/", views.case_meet, name="case-meet"),
    path("<int:pk>/notes/", views.case_note, name="case-note"),
    path("<int:pk>/statement/", views.case_statement, name="case-statement"),
    path("<int:pk>/evidence/capture/", views.case_capture, name="case-capture"),
    path("<int:pk>/evidence.zip", views.case_evidence_zip, name="case-evidence-zip"),
    path("<int:pk>/bulletin.docx", views.case_bulletin, name="case-bulletin"),
    path("<int:pk>/evaluation/", views.case_evaluation, name="case-evaluation"),
    path("<int:pk>/evaluation.docx", views.case_evaluation_docx, name="case-evaluation-docx"),
]
