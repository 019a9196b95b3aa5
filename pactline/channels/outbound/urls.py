from __future__ import annotations

from django.urls import path

from pactline.channels.outbound import views

app_name = "outbound"

urlpatterns = [
    path("campaigns/", views.campaigns_page, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("campaigns/<int:campaign_id>/call-list/", views.call_list_page, name="call-list"),
    path("campaigns/<int:campaign_id>/next-call/", views.next_call_page, name="next-call"),
    path("campaigns/entries/<int:entry_id>/attempt/", views.attempt_page, name="attempt"),
    path("campaigns/do-not-call/<slug:code>/", views.do_not_call_page, name="do-not-call"),
]
