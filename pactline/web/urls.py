from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from pactline.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("console/", include("pactline.web.console.urls")),
    path("", include("pactline.web.case_related.urls")),
]
