"""Addresses under /notify/."""

from django.urls import path

from yuqing.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery-detail"),
    path("notifiers/", views.notifier_list, name="notifier-list"),
    path("notifiers/new/<slug:kind>/", views.notifier_create, name="notifier-create"),
    path("notifiers/<int:pk>/edit/", views.notifier_edit, name="notifier-edit"),
    path("notifiers/<int:pk>/test/", views.notifier_test, name="notifier-test"),
    path("notifiers/<int:pk>/delete/", views.notifier_delete, name="notifier-delete"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:pk>/remove/", views.shift_remove, name="shift-remove"),
    path("demo-receiver/", views.demo_receiver, name="demo-receiver"),
    path("demo-receiver/log/", views.demo_receipts, name="demo-receipts"),
]
