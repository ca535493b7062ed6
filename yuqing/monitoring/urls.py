"""Addresses of the monitoring pages, the push endpoint and the demo feeds."""

from django.urls import path

from yuqing.monitoring import api, demo, views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/sources/", views.source_list, name="source-list"),
    path("monitoring/sources/new/", views.source_create, name="source-create"),
    path("monitoring/sources/<int:pk>/", views.source_edit, name="source-edit"),
    path("monitoring/sources/<int:pk>/test/", views.source_test, name="source-test"),
    path("monitoring/sources/<int:pk>/delete/", views.source_delete, name="source-delete"),
    path("monitoring/items/", views.item_list, name="item-list"),
    path("monitoring/items/<int:pk>/", views.item_detail, name="item-detail"),
    path("monitoring/tips/new/", views.tip_create, name="tip-create"),
    path("monitoring/evidence/<int:pk>/", views.evidence_file, name="evidence-file"),
    path("monitoring/import/", views.import_file, name="import"),
    path("monitoring/import/template.csv", views.import_template, {"fmt": "csv"}, name="import-template-csv"),
    path("monitoring/import/template.xlsx", views.import_template, {"fmt": "xlsx"}, name="import-template-xlsx"),
    path("api/push/<str:token>", api.PushView.as_view(), name="push"),
    path("demo-feeds/<slug:name>.xml", demo.feed, name="demo-feed"),
]
