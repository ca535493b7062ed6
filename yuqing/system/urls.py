"""URLs of the system app (included by yuqing/urls.py)."""

from django.urls import path

from yuqing.system import views

app_name = "system"

urlpatterns = [
    path("", views.status, name="status"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/delete", views.calendar_delete, name="calendar-delete"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/status/", views.run_status, name="run-status"),
]
