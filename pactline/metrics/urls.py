from __future__ import annotations

from django.urls import path

from pactline.metrics import views

app_name = "metrics"

urlpatterns = [
    path("wallboard/", views.wallboard_overview, name="wallboard-overview"),
    path("wallboard/rows/", views.wallboard_overview_rows, name="wallboard-overview-rows"),
    path("clients/<slug:code>/wallboard/", views.wallboard_page, name="wallboard"),
    path("clients/<slug:code>/wallboard/tiles/", views.wallboard_tiles, name="wallboard-tiles"),
    path("clients/<slug:code>/dashboard/", views.dashboard_page, name="dashboard"),
    path("clients/<slug:code>/dashboard/today/", views.dashboard_today, name="dashboard-today"),
    path("clients/<slug:code>/statements/", views.statement_list_page, name="statements"),
    path(
        "clients/<slug:code>/statements/issue/", views.statement_issue_page, name="statement-issue"
    ),
    path("statements/<int:statement_id>/", views.statement_page, name="statement"),
    path(
        "statements/<int:statement_id>/reissue/",
        views.statement_reissue_page,
        name="statement-reissue",
    ),
]
