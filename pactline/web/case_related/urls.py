from __future__ import annotations

from django.urls import path

from pactline.web.case_related import views

app_name = "case_related"

urlpatterns = [
    path("cases/<int:case_id>/calls/", views.case_calls, name="calls"),
    path("cases/<int:case_id>/materials/", views.case_materials, name="materials"),
]
