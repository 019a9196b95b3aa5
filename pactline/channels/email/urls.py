from __future__ import annotations

from django.urls import path

from pactline.channels.email import views

app_name = "channels_email"

urlpatterns = [
    path("email/messages/<int:message_id>/source/", views.message_source, name="source"),
    path("email/attachments/<int:attachment_id>/", views.attachment_file, name="attachment"),
]
