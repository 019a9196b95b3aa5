"""Agreement document → view model for pages: pure functions, no I/O.

Stored codes stay stable enums; these modules turn them into words in the active language,
so templates only lay out what they are given.
"""

from pactline.agreements.presentation.document import (
    AgreementView,
    VersionActions,
    agreement_view,
    version_actions,
)

__all__ = ["AgreementView", "VersionActions", "agreement_view", "version_actions"]
