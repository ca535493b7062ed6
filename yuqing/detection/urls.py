"""Addresses of the detection pages."""

from django.urls import path

from yuqing.detection import views

app_name = "detection"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mentions/", views.mention_list, name="mention-list"),
    path("mentions/<int:pk>/judge/", views.mention_judge, name="mention-judge"),
    path("events/", views.event_list, name="event-list"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
    path("events/<int:pk>/level/", views.event_level, name="event-level"),
    path("events/<int:pk>/close/", views.event_close, name="event-close"),
    path("events/<int:pk>/proposal/", views.event_proposal, name="event-proposal"),
    path("events/<int:pk>/merge/", views.event_merge, name="event-merge"),
    path("mentions/<int:pk>/split/", views.mention_split, name="mention-split"),
    path("schemes/", views.scheme_list, name="scheme-list"),
    path("schemes/new/", views.scheme_create, name="scheme-create"),
    path("schemes/preview/", views.scheme_preview, name="scheme-preview"),
    path("schemes/<int:pk>/", views.scheme_edit, name="scheme-edit"),
    path("schemes/<int:pk>/delete/", views.scheme_delete, name="scheme-delete"),
    path("levels/", views.level_rules, name="level-rules"),
    path("levels/<slug:slug>/", views.level_rules, name="level-rules-org"),
    path("periods/", views.period_list, name="period-list"),
    path("periods/<int:pk>/delete/", views.period_delete, name="period-delete"),
]
