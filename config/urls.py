from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("pactline.tenancy.urls")),
    path("", include("pactline.agreements.urls")),
    path("", include("pactline.cases.urls")),
    path("", include("pactline.channels.chat.urls")),
    path("", include("pactline.channels.email.urls")),
    path("", include("pactline.channels.outbound.urls")),
    path("", include("pactline.knowledge.urls")),
    path("", include("pactline.privacy.urls")),
    path("", include("pactline.metrics.urls")),
    path("", include("pactline.billing.urls")),
    path("", include("pactline.reports.urls")),
    path("", include("pactline.web.urls")),
]
