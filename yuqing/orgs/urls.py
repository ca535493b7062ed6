"""URLs of the orgs app (included by yuqing/urls.py)."""

from django.urls import path

from yuqing.orgs import views

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.org_list, name="org-list"),
    path("orgs/switch/", views.switch_organization, name="org-switch"),
    path("orgs/<slug:slug>/", views.org_detail, name="org-detail"),
    path("orgs/<slug:slug>/edit/", views.org_edit, name="org-edit"),
    path("orgs/<slug:slug>/new/", views.org_create, name="org-create"),
    path("orgs/<slug:slug>/people/new/", views.person_create, name="person-create"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/password/", views.person_password, name="person-password"),
    path("people/<int:pk>/unlock/", views.person_unlock, name="person-unlock"),
    path("people/<int:pk>/second-factor/reset/", views.person_second_factor_reset, name="person-second-factor-reset"),
    path("people/<int:pk>/link/", views.person_link, name="person-link"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
]
