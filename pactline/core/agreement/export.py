"""Writing agreements back out: plain JSON-compatible data, YAML and JSON text.

``parse_agreement(dump_agreement_yaml(doc)) == doc`` and likewise for JSON. Optional values
that are not set are left out; everything else (defaults included) is written, in the
order of the schema.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from pactline.core.agreement.document import AgreementDocument
from pactline.core.agreement.yamlio import Dumper


def agreement_to_data(doc: AgreementDocument) -> dict[str, Any]:
    """JSON-compatible data: Decimals as strings, dates ISO, intervals ``"HH:MM-HH:MM"``."""
    return doc.model_dump(mode="json", exclude_none=True)


def dump_agreement_json(doc: AgreementDocument) -> str:
    return json.dumps(agreement_to_data(doc), ensure_ascii=False, indent=2) + "\n"


def dump_agreement_yaml(doc: AgreementDocument) -> str:
    data = doc.model_dump(mode="python", exclude_none=True)
    return yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
