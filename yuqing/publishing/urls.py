"""Addresses under /publishing/."""

from django.urls import path

from yuqing.publishing import views

app_name = "publishing"

urlpatterns = [
    path("", views.draft_list, name="draft-list"),
    path("new/", views.draft_create, name="draft-create"),
    path("drafts/<int:pk>/", views.draft_detail, name="draft-detail"),
    path("drafts/<int:pk>/edit/", views.draft_edit, name="draft-edit"),
    path("drafts/<int:pk>/submit/", views.draft_submit, name="draft-submit"),
    path("drafts/<int:pk>/withdraw/", views.draft_withdraw, name="draft-withdraw"),
    path("drafts/<int:pk>/versions/<int:number>/", views.draft_version, name="draft-version"),
    path("drafts/<int:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment-file"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment-remove"),
    path("publications/", views.publication_list, name="publication-list"),
    path("publications/<int:pk>/", views.publication_detail, name="publication-detail"),
    path("archive/<int:pk>/", views.archive_file, name="archive-file"),
    path("check/", views.check_text_page, name="check-text"),
    path("chain/", views.chain_config, name="chain"),
]
