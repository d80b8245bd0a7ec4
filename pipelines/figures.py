"""The audit's figures, drawn with matplotlib's Agg renderer into byte-stable PNGs.

Every function takes plain tables (polars frames, dicts) and returns a `Figure`; `png_bytes` renders one. Figures
are built with `matplotlib.figure.Figure` directly (no pyplot state) under matplotlib's default style, and PNGs
carry no software or date metadata, so the same tables give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
import matplotlib.style
import numpy as np
import polars as pl
from matplotlib.figure import Figure

RC = {"svg.hashsalt": "memdistill", "figure.dpi": 100, "savefig.dpi": 100, "font.family": "DejaVu Sans"}


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib's default style whatever the user's matplotlibrc says, plus fixed dpi and font."""
    with matplotlib.style.context("default"), matplotlib.rc_context(RC):
        yield


GOLD, OTHER, BAR = "#d95f02", "#1b9e77", "#7570b3"


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _new(ncols: int = 1, nrows: int = 1, size: tuple[float, float] = (4.2, 3.6)) -> tuple[Figure, np.ndarray]:
    with _style():
        fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    return fig, axes


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def reliability_figure(panels: Sequence[tuple[str, pl.DataFrame, float | None]], ncols: int = 3) -> Figure:
    """One reliability diagram per panel `(title, bins, ece)`: the mean target (grade / 4) per label bin against the
    diagonal.

    `bins` has the columns of `pipelines.audit.reliability_bins` (`lo`, `hi`, `n`, `mean_label`, `gold_rate`).
    """
    ncols = max(1, min(ncols, len(panels)))
    nrows = max(1, -(-len(panels) // ncols))
    with _style():
        fig, axes = _new(ncols, nrows)
        for ax, (title, bins, ece) in zip(axes, panels, strict=False):
            filled = bins.filter(pl.col("n") > 0)
            lo, hi = filled["lo"].to_numpy(), filled["hi"].to_numpy()
            ax.bar(lo, filled["gold_rate"].to_numpy(), width=hi - lo, align="edge", color=BAR, alpha=0.55,
                   edgecolor="black", linewidth=0.5, label="mean grade / 4")  # fmt: skip
            ax.plot(filled["mean_label"].to_numpy(), filled["gold_rate"].to_numpy(), "o", color="black", ms=3,
                    label="mean label")  # fmt: skip
            ax.plot([0, 1], [0, 1], "--", color="grey", linewidth=1, label="perfect")
            for x, y, n in zip(
                ((lo + hi) / 2).tolist(), filled["gold_rate"].to_list(), filled["n"].to_list(), strict=True
            ):
                ax.text(x, min(y + 0.02, 0.95), str(n), ha="center", va="bottom", fontsize=7)
            ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="label", ylabel="mean grade / 4")
            ax.set_title(f"{title} (ECE {_fmt(ece)}, n={int(bins['n'].sum())})", fontsize=9)
        for ax in axes[len(panels) :]:
            ax.set_axis_off()
        if panels:
            axes[0].legend(loc="upper left", fontsize=7)
    return fig


def label_histogram_figure(labels: pl.DataFrame, bins: int = 10) -> Figure:
    """Counts of labels in `bins` equal bins of [0, 1], gold and not gold side by side (`label`, `gold` columns)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    with _style():
        fig, (ax,) = _new(size=(6.0, 3.6))
        width = (edges[1] - edges[0]) / 2
        for k, (name, color) in enumerate((("gold", GOLD), ("not gold", OTHER))):
            values = labels.filter(pl.col("gold") == (1 - k))["label"].to_numpy()
            counts, _ = np.histogram(values, bins=edges)
            ax.bar(edges[:-1] + k * width, counts, width=width, align="edge", color=color,
                   label=f"{name} (n={len(values)})")  # fmt: skip
        ax.set(xlim=(0, 1), xlabel="label", ylabel="candidates", xticks=edges)
        ax.set_yscale("symlog", linthresh=10)
        ax.legend(fontsize=8)
        ax.set_title("Label histogram", fontsize=10)
    return fig


def agreement_figure(teachers: Sequence[str], pairs: dict[str, float]) -> Figure:
    """Heatmap of the mean Kendall tau between each two teachers (`pairs` keyed "a~b"); the diagonal is 1."""
    n = len(teachers)
    tau = np.full((n, n), np.nan)
    for i, a in enumerate(teachers):
        tau[i, i] = 1.0
        for j, b in enumerate(teachers):
            value = pairs.get(f"{a}~{b}", pairs.get(f"{b}~{a}"))
            if value is not None:
                tau[i, j] = value
    with _style():
        fig, (ax,) = _new(size=(1.2 * n + 2.4, 1.0 * n + 1.6))
        image = ax.imshow(tau, cmap="RdBu", vmin=-1, vmax=1)
        ax.set_xticks(range(n), labels=list(teachers), rotation=30, ha="right")
        ax.set_yticks(range(n), labels=list(teachers))
        for i in range(n):
            for j in range(n):
                ax.text(j, i, "n/a" if np.isnan(tau[i, j]) else f"{tau[i, j]:.2f}", ha="center", va="center",
                        fontsize=9, color="white" if abs(np.nan_to_num(tau[i, j])) > 0.6 else "black")  # fmt: skip
        fig.colorbar(image, ax=ax, label="Kendall tau")
        ax.set_title("Teacher agreement", fontsize=10)
    return fig


def flip_rate_figure(rates: dict[str, float | None]) -> Figure:
    """Per teacher, the share of pairs asked in both orders whose verdict flips with the order (n/a when none)."""
    names = list(rates)
    with _style():
        fig, (ax,) = _new(size=(0.9 * len(names) + 2.8, 3.4))
        values = [rates[n] if rates[n] is not None else 0.0 for n in names]
        ax.bar(range(len(names)), values, color=BAR)
        for x, n in enumerate(names):
            ax.text(x, values[x] + 0.01, _fmt(rates[n]), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(names)), labels=names, rotation=30, ha="right")
        ax.set(ylim=(0, max([0.25, *values]) * 1.15), ylabel="position-flip rate")
        ax.set_title("Position flips (both orders asked)", fontsize=10)
    return fig
