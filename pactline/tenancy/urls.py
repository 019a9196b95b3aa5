from __future__ import annotations

from django.urls import path

from pactline.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("clients/", views.client_list_page, name="clients"),
    path("clients/<slug:code>/tokens/", views.token_list_page, name="tokens"),
    path(
        "clients/<slug:code>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"
    ),
]
