"""Fixtures shared by the core's tests."""

from __future__ import annotations

import pytest

from pactline.core.agreement import AgreementDocument, parse_agreement
from pactline.core.tests.agreement_samples import EXAMPLE_NAMES, example_text


@pytest.fixture(scope="session")
def examples() -> dict[str, AgreementDocument]:
    """The example agreements, parsed once."""
    return {name: parse_agreement(example_text(name)) for name in EXAMPLE_NAMES}
