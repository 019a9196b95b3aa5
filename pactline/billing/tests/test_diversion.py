"""The prepaid diversion balance: top-ups, draws by diverted legs, refuse and flag."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from conftest import World
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import EXAMPLES
from pactline.audit.models import AuditEvent
from pactline.billing.consumer import usage_consume_all
from pactline.billing.diversion import (
    OVER_BALANCE,
    diversion_balance,
    diversion_charge,
    diversion_permitted,
    diversion_top_up,
)
from pactline.billing.models import DiversionEntry, UsageRecord
from pactline.billing.tests.support import (
    SYSTEM,
    TUESDAY_10AM_ADELAIDE,
    call,
    draws,
    kestrel,
    leg,
)
from pactline.common.errors import Forbidden, NotFound, ValidationFailed
from pactline.core.agreement.commercial import DiversionFee
from pactline.tenancy.models import Client

pytestmark = pytest.mark.django_db

T = TUESDAY_10AM_ADELAIDE
BEFORE = T - timedelta(days=1)


def _flagging_client() -> Client:
    """Kestrel's agreement for another client, with forwarding flagged when exhausted."""
    from pactline.tenancy.tests.holders import hold_escalation_roles

    text = (EXAMPLES / "call-centre-per-minute.yaml").read_text(encoding="utf-8")
    text = text.replace("when_exhausted: refuse", "when_exhausted: flag")
    text = text.replace("code: kestrel-energy", "code: kestrel-flag")
    version = agreement_version_create(actor=SYSTEM, text=text, create_client=True).version
    agreement_version_propose(actor=SYSTEM, version=version, now=version.created_at)
    hold_escalation_roles(version.client)
    agreement_version_activate(actor=SYSTEM, version=version, now=version.created_at)
    return version.client


def test_the_charge_of_a_leg_is_exact() -> None:
    mobile = DiversionFee(
        destination="mobile", rate=Decimal("0.28"), minimum_seconds=30, increment_seconds=6
    )
    assert diversion_charge(mobile, 95) == Decimal("0.448")  # 96 s
    assert diversion_charge(mobile, 10) == Decimal("0.14")  # the 30 s minimum
    assert diversion_charge(mobile, 0) == Decimal("0")
    # 7 s at 0.01 a minute: 7/6000 does not terminate, so it is kept to 6 places.
    odd = DiversionFee(destination="landline", rate=Decimal("0.01"), increment_seconds=1)
    assert diversion_charge(odd, 7) == Decimal("0.001167")


def test_diverted_legs_draw_the_prepayment_down(world: World) -> None:
    client = kestrel()
    actor = world.billing.actor
    top_up = diversion_top_up(
        actor=actor, client=client, amount=Decimal("500.00"), reference="BANK-1", now=BEFORE
    )
    assert diversion_balance(client) == Decimal("500.00")
    assert AuditEvent.objects.filter(action="billing.diversion_topped_up").count() == 1
    # The same reference again records nothing.
    again = diversion_top_up(
        actor=actor, client=client, amount=Decimal("500.00"), reference="BANK-1", now=T
    )
    assert again.pk == top_up.pk and diversion_balance(client) == Decimal("500.00")

    mobile = call(client, "d1", T, talk=95, targets=["0412345678@from-internal"])
    abroad = call(client, "d2", T + timedelta(minutes=1), talk=95, targets=["+442079460018"])
    call(client, "d3", T + timedelta(minutes=2), talk=95, targets=["0885550199@from-internal"])
    call(client, "d4", T + timedelta(minutes=3), talk=95, targets=["Bob"])
    cdr = call(client, "d5", T + timedelta(minutes=4), talk=30, dialled="0885550100")
    leg(client, cdr, "d5-a", "0885550100", T + timedelta(minutes=4))
    leg(client, cdr, "d5-b", "0412345679", T + timedelta(minutes=4, seconds=10))
    usage_consume_all()

    diverted = dict(UsageRecord.objects.filter(client=client).values_list("call_id", "diverted_to"))
    assert diverted == {
        "d1": "mobile",
        "d2": "international",
        "d3": "landline",
        "d4": "",
        "d5": "mobile",
    }
    # 95 s mobile: 96 s at 0.28 = 0.448; 95 s abroad: 120 s at 1.10 = 2.2; 30 s mobile: 0.14.
    # Landline forwarding has no fee in this agreement, so it draws nothing.
    assert draws(client) == [
        (f"call:{mobile.pk}:leg", "-0.448", ""),
        (f"call:{abroad.pk}:leg", "-2.2", ""),
        (f"call:{cdr.pk}:leg", "-0.14", ""),
    ]
    assert diversion_balance(client) == Decimal("497.212")
    assert diversion_balance(client, at=T) == Decimal("499.552")
    assert tuple(diversion_permitted(client, now=T)) == (True, False, Decimal("499.552"))

    # Deriving again draws nothing twice; a changed call replaces its draw (200 s: 204 s).
    usage_consume_all()
    call(client, "d1", T, talk=200, targets=["0412345678@from-internal"])
    call(client, "d2", T + timedelta(minutes=1), talk=95, targets=[])
    usage_consume_all()
    assert draws(client) == [
        (f"call:{mobile.pk}:leg", "-0.952", ""),
        (f"call:{cdr.pk}:leg", "-0.14", ""),
    ]
    draw = DiversionEntry.objects.get(source_key=f"call:{mobile.pk}:leg")
    assert draw.usage == UsageRecord.objects.get(client=client, call_id="d1")
    assert diversion_balance(client) == Decimal("498.908")


def test_forwarding_is_refused_once_the_balance_is_used_up() -> None:
    client = kestrel()
    assert diversion_permitted(client, now=T) == (False, False, Decimal(0))
    mobile = call(client, "d1", T, talk=95, targets=["0412345678"])
    usage_consume_all()
    # Drawn while nothing was prepaid: the invoice shows it as over the balance.
    assert draws(client) == [(f"call:{mobile.pk}:leg", "-0.448", OVER_BALANCE)]
    assert diversion_permitted(client, now=T) == (False, False, Decimal("-0.448"))
    diversion_top_up(actor=SYSTEM, client=client, amount=Decimal("0.448"), reference="R1", now=T)
    assert diversion_permitted(client, now=T) == (False, False, Decimal("0"))
    diversion_top_up(actor=SYSTEM, client=client, amount=Decimal("500"), reference="R2", now=T)
    assert diversion_permitted(client, now=T) == (True, False, Decimal("500.000"))


def test_forwarding_goes_on_flagged_when_the_agreement_says_flag() -> None:
    client = _flagging_client()
    assert diversion_permitted(client, now=T) == (True, True, Decimal(0))
    diversion_top_up(actor=SYSTEM, client=client, amount=Decimal("1.00"), reference="R", now=T)
    assert diversion_permitted(client, now=T) == (True, False, Decimal("1.00"))


@pytest.mark.parametrize(
    ("amount", "reference", "field"),
    [
        (Decimal("0"), "R", "amount"),
        (Decimal("-5"), "R", "amount"),
        (Decimal("NaN"), "R", "amount"),
        ("lots", "R", "amount"),
        (Decimal("1.0000001"), "R", "amount"),
        (Decimal("1" + "0" * 15), "R", "amount"),
        (Decimal("10"), "  ", "reference"),
        (Decimal("10"), "x" * 81, "reference"),
    ],
)
def test_bad_top_ups_name_the_field(amount: object, reference: str, field: str) -> None:
    client = kestrel()
    with pytest.raises(ValidationFailed) as raised:
        diversion_top_up(
            actor=SYSTEM,
            client=client,
            amount=amount,
            reference=reference,
            now=T,  # type: ignore[arg-type]
        )
    assert [error.path for error in raised.value.errors] == [field]
    assert DiversionEntry.objects.count() == 0


def test_a_reference_recorded_with_another_amount_is_refused() -> None:
    client = kestrel()
    diversion_top_up(actor=SYSTEM, client=client, amount=Decimal("10"), reference="R", now=T)
    with pytest.raises(ValidationFailed) as raised:
        diversion_top_up(actor=SYSTEM, client=client, amount=Decimal("11"), reference="R", now=T)
    assert raised.value.errors[0].path == "reference"
    assert diversion_balance(client) == Decimal("10")


def test_only_billing_may_top_up(world: World) -> None:
    client = kestrel()
    with pytest.raises(NotFound):
        diversion_top_up(
            actor=world.client_a_manager.actor,
            client=client,
            amount=Decimal("1"),
            reference="R",
            now=T,
        )
    with pytest.raises(Forbidden):
        diversion_top_up(
            actor=world.qa_analyst.actor,
            client=client,
            amount=Decimal("1"),
            reference="R",
            now=T,
        )
    assert DiversionEntry.objects.count() == 0
