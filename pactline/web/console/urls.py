from __future__ import annotations

from django.urls import path

from pactline.web.console import views
from pactline.web.console.actions import ACTIONS

app_name = "console"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("rows/", views.queue_rows, name="queue-rows"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    *[
        path(
            f"cases/<int:case_id>/{action}/",
            views.case_action,
            {"action": action},
            name=f"case-{action}",
        )
        for action in ACTIONS
    ],
    path("clients/<slug:code>/tags/", views.client_tags_page, name="client-tags"),
    path("queues/", views.queues_page, name="queues"),
    path("queues/rows/", views.queues_rows, name="queues-rows"),
    path("queues/cases/", views.queue_cases_page, name="queue-cases"),
    path("queues/cases/rows/", views.queue_cases_rows, name="queue-cases-rows"),
]
