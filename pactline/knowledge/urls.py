from __future__ import annotations

from django.urls import path

from pactline.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("clients/<slug:code>/knowledge/", views.knowledge_index, name="index"),
    path("clients/<slug:code>/knowledge/new/", views.knowledge_new, name="new"),
    path("knowledge/<int:article_id>/", views.knowledge_article, name="article"),
    path("knowledge/<int:article_id>/edit/", views.knowledge_edit, name="article-edit"),
    path(
        "knowledge/<int:article_id>/publish/",
        views.knowledge_publish,
        {"published": True},
        name="article-publish",
    ),
    path(
        "knowledge/<int:article_id>/withdraw/",
        views.knowledge_publish,
        {"published": False},
        name="article-withdraw",
    ),
    path(
        "knowledge/<int:article_id>/attachments/<int:attachment_id>/",
        views.knowledge_attachment,
        name="attachment",
    ),
]
