"""The sections of a client report, in order. Each module of `MODULES` registers its section
when it is imported (`base.register`), so this list is the registry's order: the order in
which a report's content is built and stored. A report shows its sections in the order its
agreement lists them. A new section is a new module, named here where it belongs."""

from importlib import import_module

from pactline.reports.sections.base import (
    ReportSection,
    SheetRow,
    register,
    registered,
    registered_section,
    section_templates,
    table_rows,
)

MODULES = (
    "volume",
    "response_times",
    "resolution_rate",
    "service_levels",
    "service_credits",
    "abandon_rate",
    "aht",
    "fcr",
    "csat",
    "nps",
    "escalations",
    "common_issues",
    "backlog",
)

for _module in MODULES:
    import_module(f"{__name__}.{_module}")

__all__ = [
    "MODULES",
    "ReportSection",
    "SheetRow",
    "register",
    "registered",
    "registered_section",
    "section_templates",
    "table_rows",
]
