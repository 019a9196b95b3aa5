"""Two-factor sign-in with a time-based one-time password (TOTP, RFC 6238), through django-otp.

A user enrols by scanning a fresh secret into an authenticator app and typing back a code it
shows; only then is a (confirmed) device stored. From then on every sign-in asks for a current
code after the password. django-otp refuses a code used before and slows down guessing
(each wrong code doubles the wait before the next is checked)."""

from __future__ import annotations

from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from pactline.audit.services import audit_record
from pactline.common.errors import FieldError, Forbidden, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require_provider, requires_two_factor

DEVICE_NAME = "Authenticator app"
_KEY_BYTES = 20  # RFC 4226 recommends 160 bits
_TOLERANCE = 1  # one 30-second step either side, for clocks that drift a little


def two_factor_required(actor: Actor) -> bool:
    """True when a role the actor holds is one that `PACTLINE_2FA_REQUIRED_ROLES` names."""
    return requires_two_factor(actor, settings.PACTLINE_2FA_REQUIRED_ROLES)


def totp_device_of(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("id").first()


def totp_new_secret() -> str:
    """A fresh secret (hex) for an enrolment; nothing is stored until a code confirms it."""
    return str(random_hex(_KEY_BYTES))


def _valid_secret(secret: str) -> bytes | None:
    try:
        key = unhexlify(secret.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return key if len(key) == _KEY_BYTES else None


def totp_provisioning_uri(user: AbstractBaseUser, secret: str) -> str:
    """The otpauth:// URI (what the QR code holds) for `secret`."""
    return str(TOTPDevice(user=user, key=secret, name=DEVICE_NAME).config_url)


def _clean_code(code: str) -> str:
    return "".join(code.split())  # apps show "123 456"


@dataclass(frozen=True)
class _Identity:
    """A user named in the log before the sign-in has made them an actor."""

    user_id: int | None
    audit_label: str


@transaction.atomic
def totp_enrol(*, actor: Actor, user: AbstractBaseUser, secret: str, code: str) -> TOTPDevice:
    """Store `secret` as the user's authenticator once `code` proves the app holds it."""
    if actor.user_id != user.pk:
        raise Forbidden
    key = _valid_secret(secret)
    if key is None:
        raise ValidationFailed([FieldError("secret", _("the set-up key is not valid"))])
    if totp_device_of(user) is not None:
        raise ValidationFailed(
            [FieldError("code", _("two-factor sign-in is already on for this account"))]
        )
    totp = TOTP(key)
    if not _clean_code(code).isdigit() or not totp.verify(int(_clean_code(code)), _TOLERANCE):
        raise ValidationFailed(
            [FieldError("code", _("the code does not match: check the app and try again"))]
        )
    device = TOTPDevice.objects.create(
        user_id=user.pk, name=DEVICE_NAME, key=secret, confirmed=True, last_t=totp.t()
    )
    audit_record(actor=actor, action="two_factor.enabled", obj=device, payload={"method": "totp"})
    return device


def totp_check(*, user: AbstractBaseUser, code: str, address: str) -> TOTPDevice | None:
    """The user's device when `code` is current for it, else None (the failure is audited)."""
    device = totp_device_of(user)
    if device is None:
        return None
    if device.verify_token(_clean_code(code)):
        return device
    audit_record(
        actor=_Identity(user_id=int(user.pk), audit_label=f"user:{user.get_username()}"),
        action="sign_in.second_factor_failed",
        obj=device,
        payload={"address": address},
    )
    return None


def totp_wait_until(device: TOTPDevice) -> datetime | None:
    """When repeated wrong codes have paused checking: the instant it resumes."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    return until if isinstance(until, datetime) else None


def totp_remove(*, actor: Actor, user: AbstractBaseUser, code: str) -> None:
    """Turn two-factor sign-in off, proven by a current code; refused where a role needs it."""
    if actor.user_id != user.pk:
        raise Forbidden
    if two_factor_required(actor):
        raise ValidationFailed(
            [FieldError("code", _("your role requires two-factor sign-in: it stays on"))]
        )
    device = totp_device_of(user)
    if device is None:
        return
    # Checked outside the transaction: a wrong code's throttling must stay recorded.
    if not device.verify_token(_clean_code(code)):
        raise ValidationFailed([FieldError("code", _("the code does not match"))])
    with transaction.atomic():
        audit_record(
            actor=actor, action="two_factor.disabled", obj=device, payload={"method": "totp"}
        )
        TOTPDevice.objects.filter(user_id=user.pk).delete()


@transaction.atomic
def totp_reset(*, actor: Actor, user: AbstractBaseUser) -> int:
    """Remove a user's authenticators (a lost phone); their next sign-in asks them to set one
    up again if their role requires it. Provider admins (and the command line) only."""
    require_provider(actor, Permission.CLIENT_CREATE)
    devices = TOTPDevice.objects.filter(user_id=user.pk)
    count = int(devices.count())
    if count:
        audit_record(
            actor=actor,
            action="two_factor.reset",
            obj=user,
            payload={"username": user.get_username(), "devices": count},
        )
        devices.delete()
    return count
