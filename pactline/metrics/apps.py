from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "pactline.metrics"
    label = "metrics"
