"""Translation markers for the pure-Python core.

The core never translates: it only marks its English message templates so that
``makemessages --keyword=N_`` extracts them. The Django layer translates with
``gettext(template) % params``.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction; return it unchanged."""
    return message
