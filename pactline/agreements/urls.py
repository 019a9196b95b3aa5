from __future__ import annotations

from django.urls import path

from pactline.agreements import views

app_name = "agreements"

urlpatterns = [
    path("clients/<slug:code>/", views.client_page, name="client"),
    path("clients/<slug:code>/agreements/new/", views.version_new, name="version-new"),
    path("agreements/new/", views.onboard, name="onboard"),
    path("agreements/<int:agreement_id>/", views.agreement_page, name="agreement"),
    path("agreements/versions/<int:version_id>/", views.version_page, name="version"),
    *[
        path(
            f"agreements/versions/<int:version_id>/{action}/",
            views.version_action,
            {"action": action},
            name=f"version-{action}",
        )
        for action in ("propose", "accept", "activate")
    ],
    path(
        "agreements/versions/<int:version_id>/export.<str:fmt>",
        views.version_export,
        name="version-export",
    ),
]
