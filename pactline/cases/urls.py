from __future__ import annotations

from django.urls import path

from pactline.cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list_page, name="list"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    *[
        path(
            f"cases/<int:case_id>/{action}/",
            views.case_action,
            {"action": action},
            name=f"case-{action}",
        )
        for action in views.ACTIONS
    ],
    path("sla/at-risk/", views.at_risk_page, name="at-risk"),
    path("sla/at-risk/rows/", views.at_risk_rows_partial, name="at-risk-rows"),
]
