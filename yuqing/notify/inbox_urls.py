"""Addresses under /inbox/."""

from django.urls import path

from yuqing.notify import inbox_views

app_name = "inbox"

urlpatterns = [
    path("", inbox_views.inbox, name="inbox"),
    path("bell/", inbox_views.bell, name="bell"),
    path("read-all/", inbox_views.read_all, name="read-all"),
    path("notices/<int:pk>/read/", inbox_views.notice_read, name="notice-read"),
    path("notices/<int:pk>/open/", inbox_views.notice_open, name="notice-open"),
]
