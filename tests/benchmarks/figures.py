"""Figures: what was measured, against what, and whether it meets its target; printed as a
table, written as JSON, and compared across calendar sizes (the slope)."""

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Target:
    """``median <= limit`` (in the figure's unit) or ``ratio <= ratio``, and a peak memory;
    ``at``: the calendar size the target is set for (None: any)."""

    limit: float | None = None
    ratio: float | None = None
    peak_mib: float | None = None
    at: int | None = None
    text: str = ""

    def describe(self) -> str:
        parts = []
        if self.text:
            parts.append(self.text)
        elif self.ratio is not None:
            parts.append(f"ratio <= {self.ratio:g}")
        if self.limit is not None:
            parts.append(f"<= {self.limit:,.0f}")
        if self.peak_mib is not None:
            parts.append(f"peak <= {self.peak_mib:,.0f} MiB")
        text = ", ".join(parts)
        return f"{text} at n = {self.at:,}" if self.at is not None else text


@dataclass
class Figure:
    name: str
    label: str
    n: int
    samples: list[float]
    unit: str
    target: Target | None = None
    baseline: str | None = None
    baseline_samples: list[float] = field(default_factory=list)
    peak_rss_mib: float = 0.0
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_samples) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return self.median / base if base else None

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None without one, or at another size than its own."""
        target = self.target
        if target is None or (target.at is not None and target.at != self.n):
            return None
        checks = []
        if target.limit is not None:
            checks.append(self.median <= target.limit)
        if target.ratio is not None:
            checks.append(self.ratio is not None and self.ratio <= target.ratio)
        if target.peak_mib is not None:
            checks.append(self.peak_rss_mib <= target.peak_mib)
        return all(checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n": self.n,
            "median": round(self.median, 3),
            "min": round(min(self.samples), 3),
            "max": round(max(self.samples), 3),
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_median": _rounded(self.baseline_median),
            "ratio": _rounded(self.ratio, 4),
            "target": self.target.describe() if self.target else None,
            "met": self.met,
            "peak_rss_mib": round(self.peak_rss_mib, 1),
        }


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return round(value, digits) if value is not None else None


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def print_table(figures: Sequence[Figure]) -> None:
    """One block per figure: its numbers, its baseline and ratio, its target."""
    for fig in figures:
        spread = f"(min {_number(min(fig.samples))}, max {_number(max(fig.samples))}"
        spread += f", {len(fig.samples)} runs)"
        print(f"\n{fig.label}  [{fig.name}, n = {fig.n:,}]")
        print(f"  {_number(fig.median):>9} {fig.unit:<3} median {spread}")
        base = fig.baseline_median
        if fig.baseline and base is not None:
            ratio = f"ratio {fig.ratio:.2f}"
            print(f"  {_number(base):>9} {fig.unit:<3} baseline: {fig.baseline}  {ratio}")
        verdict = {True: "met", False: "NOT MET", None: "no target at this size"}[fig.met]
        if fig.target is None:
            verdict = "informative"
        target = f"target {fig.target.describe()}: " if fig.target else ""
        print(f"  peak {fig.peak_rss_mib:,.0f} MiB; {target}{verdict}")
        if fig.note:
            print(f"  {fig.note}")


def print_summary(figures: Sequence[Figure]) -> None:
    rows = [f for f in figures if f.target is not None]
    print("\nsummary")
    for fig in rows:
        ratio = f"{fig.ratio:.2f}x" if fig.ratio is not None else ""
        verdict = {True: "met", False: "NOT MET", None: "-"}[fig.met]
        print(
            f"  {fig.name:<20} n={fig.n:>7,}  {_number(fig.median):>9} {fig.unit:<3} "
            f"{ratio:>7}  {fig.target.describe() if fig.target else '':<36} {verdict}"
        )


def slopes(figures: Sequence[Figure]) -> dict[str, list[tuple[int, int, float]]]:
    """For each figure measured at several sizes: (n1, n2, slope) between successive sizes,
    where the slope is log(median2 / median1) / log(n2 / n1): 1 grows linearly with n, 0 not
    at all, 2 quadratically."""
    by_name: dict[str, list[Figure]] = {}
    for fig in figures:
        by_name.setdefault(fig.name, []).append(fig)
    result = {}
    for name, measured in by_name.items():
        measured.sort(key=lambda f: f.n)
        steps = [
            (a.n, b.n, math.log(b.median / a.median) / math.log(b.n / a.n))
            for a, b in zip(measured, measured[1:], strict=False)
            if b.n > a.n and a.median > 0 and b.median > 0
        ]
        if steps:
            result[name] = steps
    return result


def print_slopes(figures: Sequence[Figure]) -> None:
    found = slopes(figures)
    if not found:
        return
    print("\nhow each figure grows with n (slope of log time over log n: 1 linear, 2 quadratic)")
    for name, steps in found.items():
        medians = {f.n: f.median for f in figures if f.name == name}
        cells = "  ".join(f"{a:,}->{b:,}: {slope:+.2f}" for a, b, slope in steps)
        values = ", ".join(f"{_number(medians[n])}" for n in sorted(medians))
        worst = max(slope for _a, _b, slope in steps)
        flag = "  <- grows faster than n" if worst > 1.3 else ""
        print(f"  {name:<20} {cells}   ({values}){flag}")


def write_json(figures: Sequence[Figure], path: Path) -> None:
    path.write_text(json.dumps([f.as_json() for f in figures], indent=2) + "\n")
