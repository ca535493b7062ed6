"""URLs of the audit app (included by yuqing/urls.py)."""

from django.urls import path

from yuqing.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_list, name="audit-list"),
    path("export.csv", views.audit_export, name="audit-export"),
]
