"""The agreement has one reader: no code outside `pactline.agreements` reads the stored JSON.

Other apps read `AgreementVersion.terms` (the typed document) and `pactline.agreements.terms`;
reading `version.document` raw would bring back private defaults and interpretations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
OWNER = ROOT / "pactline" / "agreements"

# `version.document` as a value (`.document_id`, modules in imports and attributes of typed
# objects do not count), indexing it or calling its dict methods; and queryset reads by name.
RAW_READ = re.compile(r"\.document\b(?!\.)|\.document(?:\[|\.(?:get|keys|items|values)\()")
COLUMN_READ = re.compile(r"\.(?:values|values_list|only|defer)\([^)]*[\"']document[\"']")


def raw_reads(source: str) -> list[tuple[int, str]]:
    """(line number, line) of each read of the stored document in `source`."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        code = line.split("#", 1)[0]
        if code.lstrip().startswith(("from ", "import ")):
            continue
        if RAW_READ.search(code) or COLUMN_READ.search(code):
            found.append((number, line.strip()))
    return found


def offenders(root: Path) -> list[str]:
    found = []
    for base in (root / "pactline", root / "bench"):
        for path in sorted(base.rglob("*.py")):
            if path.is_relative_to(root / "pactline" / "agreements"):
                continue
            for number, line in raw_reads(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(root)}:{number}: {line}")
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('x = version.document.get("priorities")', [1]),
        ('x = version.document["calendars"]', [1]),
        ("document = case.agreement_version.document", [1]),
        ("f(version.document)", [1]),
        ("f(version.document or {})", [1]),
        ('AgreementVersion.objects.only("document").get(pk=1)', [1]),
        ('qs.values_list("document", flat=True)', [1]),
        ("x = version.terms.priorities", []),
        ("doc = document_from_data(data)", []),
        ("from pactline.core.agreement.document import AgreementDocument", []),
        ("spec.document_id = 3  # a document id", []),
        ("# version.document is private", []),
    ],
)
def test_scanner_finds_raw_reads(source: str, expected: list[int]) -> None:
    assert [number for number, _ in raw_reads(source)] == expected


def test_nothing_outside_agreements_reads_the_stored_document() -> None:
    found = offenders(ROOT)
    assert found == [], "read `version.terms` / pactline.agreements.terms instead:\n" + "\n".join(
        found
    )


def test_the_owner_itself_is_not_scanned() -> None:
    # The models and the cache in pactline.agreements are where the stored JSON is read.
    assert raw_reads((OWNER / "terms.py").read_text(encoding="utf-8")) != []
    assert all(not line.startswith("pactline/agreements/") for line in offenders(ROOT))
