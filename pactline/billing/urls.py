from __future__ import annotations

from django.urls import path

from pactline.billing import views

app_name = "billing"

urlpatterns = [
    path("billing/", views.workspace_page, name="workspace"),
    path("clients/<slug:code>/billing/", views.client_page, name="client"),
    path("clients/<slug:code>/billing/account/", views.account_page, name="account"),
    path("clients/<slug:code>/billing/diversion/", views.diversion_page, name="diversion"),
    path(
        "clients/<slug:code>/billing/diversion/top-up/", views.top_up_page, name="diversion-top-up"
    ),
    path("clients/<slug:code>/billing/close/", views.close_page, name="close"),
    path("clients/<slug:code>/billing/late-fees/", views.late_fees_page, name="late-fees"),
    path("clients/<slug:code>/billing/exclusions/", views.exclusions_page, name="exclusions"),
    path("clients/<slug:code>/billing/forecasts/", views.forecasts_page, name="forecasts"),
    path(
        "clients/<slug:code>/billing/forecasts/upload/",
        views.forecasts_upload_page,
        name="forecasts-upload",
    ),
    path("clients/<slug:code>/billing/charges/", views.charges_page, name="charges"),
    path("invoices/<int:invoice_id>/", views.invoice_page, name="invoice"),
    path("invoices/<int:invoice_id>/issue/", views.invoice_issue_page, name="invoice-issue"),
    path("invoices/<int:invoice_id>/payment/", views.invoice_payment_page, name="invoice-payment"),
    path(
        "invoices/<int:invoice_id>/download.<str:fmt>",
        views.invoice_download,
        name="invoice-download",
    ),
    path("invoices/lines/<int:line_id>/usage/", views.line_usage_page, name="line-usage"),
    path(
        "invoices/lines/<int:line_id>/usage.csv",
        views.line_usage_csv_download,
        name="line-usage-csv",
    ),
]
