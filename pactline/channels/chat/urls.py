"""Chat pages. The agents' desk comes first: `/chat/sessions/` is not a client's chat page."""

from __future__ import annotations

from django.urls import path

from pactline.channels.chat import views

app_name = "channels_chat"

urlpatterns = [
    path("chat/sessions/", views.desk_page, name="desk"),
    path("chat/sessions/rows/", views.desk_rows, name="desk-rows"),
    path("chat/sessions/<int:session_id>/", views.session_page, name="session"),
    path("chat/sessions/<int:session_id>/log/", views.session_log, name="session-log"),
    path("chat/sessions/<int:session_id>/reply/", views.session_reply, name="session-reply"),
    path("chat/sessions/<int:session_id>/end/", views.session_end, name="session-end"),
    path("chat/<slug:client_code>/", views.customer_start, name="start"),
    path("chat/<slug:client_code>/s/<slug:token>/", views.customer_chat, name="customer"),
    path("chat/<slug:client_code>/s/<slug:token>/log/", views.customer_log, name="customer-log"),
    path("chat/<slug:client_code>/s/<slug:token>/send/", views.customer_send, name="customer-send"),
    path("chat/<slug:client_code>/s/<slug:token>/end/", views.customer_end, name="customer-end"),
]
