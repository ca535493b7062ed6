"""Addresses of the report pages."""

from django.urls import path

from yuqing.reports import views, views_stats

app_name = "reports"

urlpatterns = [
    path("daily/", views.daily_today, name="daily"),
    path("daily/<int:pk>/", views.daily_detail, name="daily-detail"),
    path("daily/<int:pk>/confirm/", views.daily_confirm, name="daily-confirm"),
    path("daily/<int:pk>/report.docx", views.daily_docx, name="daily-docx"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("compliance/remind/", views.compliance_remind, name="compliance-remind"),
    path("stats/", views_stats.stats_view, name="stats"),
]
