from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from pactline.web import views
from pactline.web.account.views import SignInView

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("pactline.web.account.urls")),
    path("console/", include("pactline.web.console.urls")),
    path("", include("pactline.web.case_related.urls")),
]
