from __future__ import annotations

from django.urls import path

from pactline.privacy import views

app_name = "privacy"

urlpatterns = [
    path("clients/<slug:code>/materials/", views.client_materials, name="client-materials"),
    path("materials/requests/", views.materials_desk, name="desk"),
    *[
        path(
            f"materials/requests/<int:request_id>/{action}/",
            views.decide_request,
            {"action": action},
            name=f"request-{action}",
        )
        for action in ("approve", "reject")
    ],
    path("materials/recordings/<int:recording_id>/", views.recording_page, name="recording"),
    path("materials/recordings/<int:recording_id>/file/", views.recording_file, name="file"),
    path(
        "materials/recordings/<int:recording_id>/request/",
        views.request_material,
        name="request",
    ),
    path("materials/download/<str:token>/", views.download, name="download"),
    path("cases/<int:case_id>/materials/new/", views.attach, name="attach"),
]
