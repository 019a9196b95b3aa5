from __future__ import annotations

from django.urls import path

from pactline.web.account import views

app_name = "account"

urlpatterns = [
    path("login/code/", views.sign_in_code, name="sign-in-code"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
]
