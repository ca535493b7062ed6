"""Addresses of the report pages."""

from django.urls import path

from yuqing.reports import document_views, views, views_stats

app_name = "reports"

urlpatterns = [
    path("daily/", views.daily_today, name="daily"),
    path("daily/<int:pk>/", views.daily_detail, name="daily-detail"),
    path("daily/<int:pk>/confirm/", views.daily_confirm, name="daily-confirm"),
    path("daily/<int:pk>/report.docx", views.daily_docx, name="daily-docx"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("compliance/remind/", views.compliance_remind, name="compliance-remind"),
    path("stats/", views_stats.stats_view, name="stats"),
    path("history/", document_views.history, name="history"),
    path("files/<int:pk>/", document_views.file_download, name="file"),
    path("self-inspections/", document_views.self_inspections, name="self-inspections"),
    path("self-inspections/<int:pk>/", document_views.self_inspection, name="self-inspection"),
    path("briefings/", document_views.briefings, name="briefings"),
    path("briefings/<int:pk>/", document_views.briefing_detail, name="briefing"),
    path("briefings/<int:pk>/regenerate/", document_views.briefing_regenerate, name="briefing-regenerate"),
]
