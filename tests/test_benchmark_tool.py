"""The benchmark command's own logic: targets, ratios, JSON, slopes, ``--only``, and that its
calendar holds what the figures rely on. (The command itself runs in CI at N = 1,000.)"""

import json
import math
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from liaison_calendar.domain.clock import FixedClock
from liaison_calendar.services.context import Services
from tests.benchmarks.__main__ import _selection
from tests.benchmarks.dataset import NOW, build, period_with
from tests.benchmarks.figures import Figure, Target, slopes, write_json

KEYS = {
    "name", "n", "median", "min", "max", "unit", "baseline", "baseline_median", "ratio",
    "target", "met", "peak_rss_mib",
}  # fmt: skip


def figure(samples: list[float], target: Target | None, **extra: object) -> Figure:
    return Figure("start", "Start", 1000, samples, "ms", target, **extra)  # type: ignore[arg-type]


def test_a_limit_is_met_by_the_median_not_the_worst_run() -> None:
    assert figure([10, 20, 900], Target(limit=50)).met is True
    assert figure([10, 60, 70], Target(limit=50)).met is False


def test_a_ratio_target_compares_medians_measured_in_the_same_run() -> None:
    fig = figure([110, 120, 130], Target(ratio=1.2), baseline="bare", baseline_samples=[90, 100])
    assert fig.baseline_median == 95
    assert fig.ratio == pytest.approx(120 / 95)
    assert fig.met is False
    assert figure([100], Target(ratio=1.2), baseline="bare", baseline_samples=[100]).met is True


def test_a_ratio_target_without_a_baseline_is_not_met() -> None:
    assert figure([1.0], Target(ratio=2.0)).met is False


def test_a_memory_target_needs_the_peak_too() -> None:
    target = Target(ratio=1.1, peak_mib=400)
    fast = {"baseline": "icalendar", "baseline_samples": [100.0]}
    assert figure([50], target, peak_rss_mib=300, **fast).met is True
    assert figure([50], target, peak_rss_mib=401, **fast).met is False


def test_a_target_set_for_another_size_is_not_judged() -> None:
    assert figure([10], Target(limit=200, at=10_000)).met is None
    fig = Figure("publish", "Publish", 10_000, [250], "ms", Target(limit=200, at=10_000))
    assert fig.met is False


def test_json_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    figs = [
        figure([3, 1, 2], Target(limit=50), peak_rss_mib=12.345),
        figure([1], None),
        figure([9], Target(ratio=0.05), baseline="icalendar", baseline_samples=[300.0]),
    ]
    out = tmp_path / "figures.json"

    write_json(figs, out)

    written = json.loads(out.read_text())
    assert [set(entry) for entry in written] == [KEYS] * 3
    assert written[0] | {"target": None} == {
        "name": "start", "n": 1000, "median": 2, "min": 1, "max": 3, "unit": "ms",
        "baseline": None, "baseline_median": None, "ratio": None, "target": None, "met": True,
        "peak_rss_mib": 12.3,
    }  # fmt: skip
    assert written[0]["target"] == "<= 50"
    assert written[1]["met"] is None
    assert written[2]["ratio"] == pytest.approx(0.03)
    assert written[2]["met"] is True


def test_slopes_tell_linear_from_quadratic_and_flat_growth() -> None:
    sizes = [1_000, 10_000, 100_000]
    figs = [Figure("export", "", n, [n * 0.01], "ms") for n in sizes]
    figs += [Figure("search", "", n, [3.0], "ms") for n in sizes]
    figs += [Figure("bad", "", n, [(n / 1000) ** 2], "ms") for n in sizes]

    found = slopes(figs)

    assert [s for _a, _b, s in found["export"]] == [pytest.approx(1.0)] * 2
    assert [s for _a, _b, s in found["search"]] == [pytest.approx(0.0)] * 2
    assert [s for _a, _b, s in found["bad"]] == [pytest.approx(2.0)] * 2
    assert [(a, b) for a, b, _s in found["bad"]] == [(1_000, 10_000), (10_000, 100_000)]
    assert math.isclose(found["export"][0][2], 1.0)


def test_only_picks_steps_by_figure_or_step_name() -> None:
    assert _selection(None)[1] is None
    assert _selection("start,search") == ({"ui", "query"}, {"start", "search"})
    steps, figures = _selection("print")
    assert steps == {"print"}
    assert figures == {"agenda_pdf_first", "agenda_pdf", "period_report_pdf"}


def test_only_with_an_unknown_name_says_which_names_exist() -> None:
    with pytest.raises(SystemExit, match="unknown figure or step: strat.*figures: start"):
        _selection("strat")


def test_the_benchmark_calendar_holds_what_the_figures_rely_on(tmp_path: Path) -> None:
    db = tmp_path / "bench.db"
    build(db, 300)

    with closing(sqlite3.connect(db)) as conn:
        (singles, all_day, repeating, skipped, moved, in_series, indexed) = conn.execute(
            "SELECT sum(master_id IS NULL), sum(all_day), sum(rrule IS NOT NULL), "
            "sum(exdates != '[]'), sum(master_id IS NOT NULL), sum(series_id IS NOT NULL), "
            "(SELECT count(*) FROM meeting_fts) FROM meeting"
        ).fetchone()
        zones = {r[0] for r in conn.execute("SELECT DISTINCT tz FROM meeting")}
    assert singles == indexed == 300
    assert all_day > 0
    assert repeating > 0
    assert skipped > 0
    assert moved > 0
    assert in_series > 0
    assert zones == {"Europe/Brussels", "Europe/Kyiv", "Asia/Tbilisi"}

    svc = Services.open(db, FixedClock(NOW))
    try:
        everything = svc.queries.occurrences(
            datetime(2022, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)
        )
        moved_titles = [o.meeting.title for o in everything if o.meeting.master_id]
        found = svc.queries.search("Participant 2 of 217")  # a prefix: no 2170 here
        agenda = svc.meetings.get(1)
    finally:
        svc.close()
    assert moved_titles
    assert all(t.endswith("(moved)") for t in moved_titles)
    assert [m.id for m in found] == [217]
    assert len(agenda.participants) == 3
    assert len(agenda.agenda) == 3
    first, last = period_with(db, 100)
    assert first < last
