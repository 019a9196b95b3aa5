from __future__ import annotations

from django.urls import path

from pactline.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.reports_index, name="index"),
    path("clients/<slug:code>/reports/", views.client_reports, name="client"),
    path("clients/<slug:code>/reports/generate/", views.generate, name="generate"),
    path("clients/<slug:code>/reports/latest/", views.latest, name="latest"),
    path("reports/<int:report_id>/", views.report_page, name="report"),
    path(
        "reports/<int:report_id>/download.<str:fmt>",
        views.report_download,
        name="download",
    ),
]
