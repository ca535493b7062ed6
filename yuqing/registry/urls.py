"""Addresses of the registry pages."""

from django.urls import path

from yuqing.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.registry_list, {"what": "channels"}, name="channel-list"),
    path("groups/", views.registry_list, {"what": "groups"}, name="group-list"),
    path("filings/", views.filing_list, name="filing-list"),
    path("filings/<int:pk>/", views.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/form.docx", views.filing_form, name="filing-form"),
    path("export.xlsx", views.registry_export, name="export"),
    path("import/", views.registry_import, name="import"),
    path("overview/export.xlsx", views.overview_export, name="overview-export"),
    path("check/", views.registry_check, name="check"),
    path("check/inspection/", views.inspection_record, name="inspection"),
    path("overview/", views.overview_page, name="overview"),
    path("violations/", views.violation_list, name="violations"),
    path("channels/<int:pk>/source/", views.channel_source, name="channel-source"),
    path("<str:what>/new/", views.registry_new, name="new"),
    path("<str:what>/<int:pk>/", views.registry_detail, name="detail"),
    path("<str:what>/<int:pk>/edit/", views.registry_edit, name="edit"),
    path("<str:what>/<int:pk>/move/", views.registry_move, name="move"),
    path("<str:what>/<int:pk>/file/", views.registry_file, name="file"),
]
