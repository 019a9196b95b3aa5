"""Charts as SVG text, drawn with matplotlib's object API on the Agg canvas (no pyplot state,
no files). Labels stay text naming DejaVu Sans then the CJK font of `fonts` (registered with
matplotlib there, so label sizes are measured in it): WeasyPrint sets them with the same fonts
as the page, several times faster than glyph outlines, and the PDF's charts stay searchable."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any

os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "pactline-mpl"))

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pactline.common import fonts

WIDTH, HEIGHT = 7.2, 2.6  # inches
COLORS = ("#1f5fbf", "#d9822b", "#2e8540", "#8a3ffc", "#a3a3a3")


@cache
def font_families() -> list[str]:
    """DejaVu Sans for Latin text, then the CJK font (per-glyph fallback)."""
    cjk = fonts.cjk_font()
    return [fonts.LATIN_FAMILY, *([cjk.family] if cjk is not None else [])]


def _style() -> Any:  # matplotlib types its keys as literals
    return {
        "font.family": font_families(),
        "font.size": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",
        "svg.hashsalt": "pactline",
    }


def _svg(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _ticks(count: int, most: int = 16) -> list[int]:
    step = max(1, -(-count // most))
    return list(range(0, count, step))


def _legend_below(axes: Axes, entries: int) -> None:
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.28),
        frameon=False,
        fontsize=7,
        ncols=min(max(entries, 1), 2),
    )


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=100)
    axes = figure.add_subplot()
    axes.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def volume_chart(
    labels: Sequence[str],
    offered: Sequence[int],
    answered: Sequence[int],
    *,
    offered_label: str,
    answered_label: str,
) -> str:
    """Offered contacts as bars and answered ones as a line, per bucket."""
    with matplotlib.rc_context(_style()):
        figure, axes = _figure()
        positions = list(range(len(labels)))
        axes.bar(positions, offered, color=COLORS[0], width=0.8, label=offered_label)
        axes.plot(positions, answered, color=COLORS[1], linewidth=1.2, label=answered_label)
        ticks = _ticks(len(labels))
        axes.set_xticks(ticks, [labels[i] for i in ticks], rotation=45, ha="right")
        axes.set_ylim(bottom=0)
        _legend_below(axes, 2)
        return _svg(figure)


Line = tuple[str, Sequence[Decimal | float | None], Decimal | None]


def trend_chart(
    labels: Sequence[str], lines: Sequence[Line], *, unit: str, target_label: str
) -> str:
    """One line per series (gaps where a bucket had nothing to measure), each with its target
    as a dashed line of the same colour."""
    with matplotlib.rc_context(_style()):
        figure, axes = _figure()
        positions = list(range(len(labels)))
        for index, (name, values, target) in enumerate(lines):
            color = COLORS[index % len(COLORS)]
            points = [float("nan") if value is None else float(value) for value in values]
            axes.plot(
                positions,
                points,
                color=color,
                linewidth=1.4,
                marker="o",
                markersize=2.5,
                label=name,
            )
            if target is not None:
                axes.axhline(
                    float(target),
                    color=color,
                    linestyle="--",
                    linewidth=0.9,
                    label=f"{name} · {target_label} {target}{unit}",
                )
        ticks = _ticks(len(labels))
        axes.set_xticks(ticks, [labels[i] for i in ticks], rotation=45, ha="right")
        axes.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
        axes.set_ylabel(unit)
        if unit == "%":
            axes.set_ylim(0, 105)
        else:
            axes.set_ylim(bottom=0)
        _legend_below(axes, len(lines))
        return _svg(figure)


def bar_chart(
    names: Sequence[str],
    current: Sequence[int],
    before: Sequence[int],
    *,
    current_label: str,
    previous_label: str,
) -> str:
    """Horizontal bars, the largest on top: this period beside the previous one."""
    with matplotlib.rc_context(_style()):
        figure, axes = _figure()
        figure.set_size_inches(WIDTH, max(1.6, 0.32 * len(names) + 0.8))
        positions = list(range(len(names)))[::-1]
        height = 0.38
        axes.barh(
            [p + height / 2 for p in positions],
            current,
            height=height,
            color=COLORS[0],
            label=current_label,
        )
        axes.barh(
            [p - height / 2 for p in positions],
            before,
            height=height,
            color=COLORS[4],
            label=previous_label,
        )
        axes.set_yticks(positions, list(names))
        axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        axes.grid(axis="y", visible=False)
        axes.legend(loc="lower right", frameon=False)
        return _svg(figure)
