from django.apps import AppConfig


class EmailChannelConfig(AppConfig):
    name = "pactline.channels.email"
    label = "channels_email"

    def ready(self) -> None:
        from pactline.cases.models import Channel
        from pactline.cases.replies import reply_handler_register
        from pactline.channels.email.replies import email_case_reply

        reply_handler_register(Channel.EMAIL, email_case_reply)
