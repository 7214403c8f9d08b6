"""The month and week views, driven as a user would: clicks, double-clicks, keys and drags."""

from datetime import date, datetime, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.briefs import BriefOccurrence
from liaison_calendar.domain.enums import Status
from liaison_calendar.domain.models import MeetingDetail, MeetingDraft, Moment
from liaison_calendar.services.context import Services
from liaison_calendar.ui.views.base import CalendarView, Palette, ViewData
from liaison_calendar.ui.views.month import (
    MonthView,
    chip_style,
    contrasting_text,
    occurrence_tooltip,
)
from liaison_calendar.ui.views.week import WeekView

TZ = "Europe/Brussels"
WED = date(2024, 3, 13)  # a Wednesday in March 2024
LEFT = Qt.MouseButton.LeftButton


def _meeting(
    services: Services, title: str, start: Moment, end: Moment, **fields: object
) -> MeetingDetail:
    draft = MeetingDraft.model_validate({"title": title, "start": start, "end": end, **fields})
    return services.meetings.create(draft)


def _palette(services: Services) -> Palette:
    return Palette(
        strands={s.key: s.colour for s in services.catalog.strands()},
        kinds={k.key: k.colour for k in services.catalog.kinds()},
    )


def _data(
    services: Services,
    view: CalendarView,
    anchor: date,
    tz: str = TZ,
    today: date | None = None,
) -> ViewData:
    """What the main window gives a view: the occurrences of exactly its period."""
    first, after = view.period(anchor)
    lo, hi = services.queries.day_window(first, after - timedelta(days=1), tz)
    return ViewData(
        anchor=anchor,
        tz=tz,
        occurrences=services.queries.occurrences(lo, hi),
        palette=_palette(services),
        today=today,
    )


def _occ(data: ViewData, title: str) -> BriefOccurrence:
    return next(o for o in data.occurrences if o.meeting.title == title)


@pytest.fixture
def month(qtbot: QtBot) -> MonthView:
    view = MonthView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def week(qtbot: QtBot) -> WeekView:
    view = WeekView(now=lambda: datetime(2024, 3, 13, 11, 0, tzinfo=ZoneInfo(TZ)))
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    return view


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "first"),
    [
        (date(2024, 3, 13), date(2024, 2, 26)),  # 1 March 2024 is a Friday
        (date(2024, 4, 30), date(2024, 4, 1)),  # 1 April 2024 is a Monday
        (date(2024, 9, 1), date(2024, 8, 26)),  # 1 September 2024 is a Sunday
    ],
)
def test_month_grid_starts_on_the_monday_of_the_first_and_shows_six_weeks(
    qtbot: QtBot, anchor: date, first: date
) -> None:
    view = MonthView()
    qtbot.addWidget(view)
    start, after = view.period(anchor)
    assert start == first
    assert start.weekday() == 0
    assert (after - start).days == 42


@pytest.mark.parametrize("anchor", [date(2024, 3, 11), date(2024, 3, 13), date(2024, 3, 17)])
def test_week_runs_from_monday_to_sunday_of_the_anchor(qtbot: QtBot, anchor: date) -> None:
    view = WeekView()
    qtbot.addWidget(view)
    assert view.period(anchor) == (date(2024, 3, 11), date(2024, 3, 18))


# --- month: mouse -----------------------------------------------------------------------------


def test_clicking_a_chip_selects_its_occurrence(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    _meeting(services, "Staff talks", datetime(2024, 3, 12, 10), datetime(2024, 3, 12, 11))
    _meeting(services, "Cyber dialogue", datetime(2024, 3, 12, 14), datetime(2024, 3, 12, 15))
    data = _data(services, month, WED)
    month.show_data(data)
    cyber = _occ(data, "Cyber dialogue")
    (rect,) = month.chip_rects(cyber)
    with qtbot.waitSignal(month.selected, timeout=1000) as blocker:
        qtbot.mouseClick(month, LEFT, pos=rect.center())
    assert blocker.args == [cyber]
    assert month.current() == cyber
    assert month.selected_day() == date(2024, 3, 12)


def test_double_clicking_a_chip_opens_it(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    _meeting(services, "Staff talks", datetime(2024, 3, 12, 10), datetime(2024, 3, 12, 11))
    data = _data(services, month, WED)
    month.show_data(data)
    occ = _occ(data, "Staff talks")
    with qtbot.waitSignal(month.activated, timeout=1000) as blocker:
        qtbot.mouseDClick(month, LEFT, pos=month.chip_rects(occ)[0].center())
    assert blocker.args == [occ]


def test_double_clicking_empty_space_in_a_day_asks_for_that_whole_day(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    month.show_data(_data(services, month, WED))
    cell = month.day_rect(date(2024, 3, 21))
    with qtbot.waitSignal(month.create_requested, timeout=1000) as blocker:
        qtbot.mouseDClick(month, LEFT, pos=QPoint(cell.center().x(), cell.bottom() - 5))
    start, end = blocker.args
    assert (start, end) == (date(2024, 3, 21), date(2024, 3, 22))
    assert not isinstance(start, datetime)
    assert not isinstance(end, datetime)


def test_clicking_a_day_number_asks_for_that_day(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    month.show_data(_data(services, month, WED))
    cell = month.day_rect(date(2024, 3, 27))
    with qtbot.waitSignal(month.anchor_requested, timeout=1000) as blocker:
        qtbot.mouseClick(month, LEFT, pos=cell.topLeft() + QPoint(8, 8))
    assert blocker.args == [date(2024, 3, 27)]


def test_a_crowded_day_ends_in_more_which_asks_for_that_day(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    day = date(2024, 3, 12)
    for i in range(10):
        _meeting(
            services,
            f"Meeting {i} on countering hybrid threats with a title far too long for a chip",
            datetime(2024, 3, 12, 8 + i),
            datetime(2024, 3, 12, 8 + i, 45),
        )
    data = _data(services, month, WED)
    month.show_data(data)
    cell = month.day_rect(day)
    shown = month.chip_texts(day)
    assert 1 <= len(shown) < 10
    assert month.more_text(day) == f"+{10 - len(shown)} more"
    more = month.more_rect(day)
    assert more is not None
    assert cell.contains(more)
    # Nothing spills out of the day or over another chip, long titles included.
    rects = [r for o in data.occurrences for r in month.chip_rects(o)]
    assert len(rects) == len(shown)
    for rect in rects:
        assert cell.contains(rect)
        assert not rect.intersects(more)
    for a, b in combinations(rects, 2):
        assert not a.intersects(b)
    with qtbot.waitSignal(month.anchor_requested, timeout=1000) as blocker:
        qtbot.mouseClick(month, LEFT, pos=more.center())
    assert blocker.args == [day]


def test_a_quiet_day_has_no_more(services: Services, month: MonthView) -> None:
    _meeting(services, "Staff talks", datetime(2024, 3, 12, 10), datetime(2024, 3, 12, 11))
    month.show_data(_data(services, month, WED))
    assert month.more_rect(date(2024, 3, 12)) is None
    assert month.chip_texts(date(2024, 3, 12)) == ["10:00 Staff talks"]


def test_multi_day_meetings_show_on_every_day_they_cover(
    services: Services, month: MonthView
) -> None:
    _meeting(services, "Planning conference", date(2024, 3, 20), date(2024, 3, 23))  # Wed–Fri
    _meeting(services, "Weekend workshop", datetime(2024, 3, 16, 14), datetime(2024, 3, 19, 12))
    data = _data(services, month, WED)
    month.show_data(data)
    conference = _occ(data, "Planning conference")
    workshop = _occ(data, "Weekend workshop")
    assert len(month.chip_rects(conference)) == 1  # one bar inside one week
    assert len(month.chip_rects(workshop)) == 2  # cut at the end of the week
    for occ, first, last in [
        (conference, date(2024, 3, 20), date(2024, 3, 22)),
        (workshop, date(2024, 3, 16), date(2024, 3, 19)),
    ]:
        day = first
        while day <= last:
            cell = month.day_rect(day)
            assert any(r.intersects(cell) for r in month.chip_rects(occ)), day
            day += timedelta(days=1)
        for outside in (first - timedelta(days=1), last + timedelta(days=1)):
            cell = month.day_rect(outside).adjusted(4, 0, -4, 0)
            assert not any(r.intersects(cell) for r in month.chip_rects(occ)), outside


def test_timed_meetings_are_placed_and_labelled_in_the_users_zone(
    services: Services, month: MonthView
) -> None:
    # 01:00 in Brussels on 13 March is 20:00 on 12 March in New York.
    _meeting(services, "Night call", datetime(2024, 3, 13, 1), datetime(2024, 3, 13, 2))
    month.show_data(_data(services, month, WED, tz="America/New_York"))
    assert month.chip_texts(date(2024, 3, 12)) == ["20:00 Night call"]
    assert month.chip_texts(date(2024, 3, 13)) == []


def test_arrow_keys_move_the_day_and_enter_opens_its_meeting(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    _meeting(services, "Staff talks", datetime(2024, 3, 21, 10), datetime(2024, 3, 21, 11))
    data = _data(services, month, WED)
    month.show_data(data)
    month.setFocus()
    assert month.selected_day() == WED
    qtbot.keyClick(month, Qt.Key.Key_Right)
    assert month.selected_day() == date(2024, 3, 14)
    assert month.current() is None
    with qtbot.waitSignal(month.selected, timeout=1000) as blocker:
        qtbot.keyClick(month, Qt.Key.Key_Down)
    assert month.selected_day() == date(2024, 3, 21)
    assert blocker.args == [_occ(data, "Staff talks")]
    with qtbot.waitSignal(month.activated, timeout=1000) as opened:
        qtbot.keyClick(month, Qt.Key.Key_Return)
    assert opened.args == [_occ(data, "Staff talks")]


def test_tab_walks_through_the_meetings_of_the_selected_day(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    _meeting(services, "First", datetime(2024, 3, 12, 9), datetime(2024, 3, 12, 10))
    _meeting(services, "Second", datetime(2024, 3, 12, 11), datetime(2024, 3, 12, 12))
    data = _data(services, month, WED)
    month.show_data(data)
    cell = month.day_rect(date(2024, 3, 12))
    qtbot.mouseClick(month, LEFT, pos=QPoint(cell.center().x(), cell.bottom() - 5))
    assert month.current() is None
    qtbot.keyClick(month, Qt.Key.Key_Tab)
    assert month.current() == _occ(data, "First")
    qtbot.keyClick(month, Qt.Key.Key_Tab)
    assert month.current() == _occ(data, "Second")
    qtbot.keyClick(month, Qt.Key.Key_Backtab)
    assert month.current() == _occ(data, "First")


def test_moving_past_the_six_weeks_asks_for_another_anchor(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    month.show_data(_data(services, month, date(2024, 3, 1)))
    month.setFocus()
    assert month.selected_day() == date(2024, 3, 1)
    with qtbot.waitSignal(month.anchor_requested, timeout=1000) as blocker:
        for _ in range(5):
            qtbot.keyClick(month, Qt.Key.Key_Up)
    assert blocker.args == [date(2024, 2, 23)]


def test_select_meeting_picks_the_right_occurrence_of_a_series(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    m = _meeting(
        services,
        "Weekly sync",
        datetime(2024, 3, 5, 9),
        datetime(2024, 3, 5, 10),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    data = _data(services, month, WED)
    month.show_data(data)
    second = [o for o in data.occurrences if o.meeting.id == m.id][1]
    with qtbot.waitSignal(month.selected, timeout=1000) as blocker:
        month.select_meeting(m.id, second.start)
    assert blocker.args == [second]
    assert month.current() == second
    assert month.selected_day() == date(2024, 3, 12)


def test_a_refresh_keeps_the_selection_and_drops_it_when_the_meeting_is_gone(
    services: Services, month: MonthView, qtbot: QtBot
) -> None:
    m = _meeting(services, "Staff talks", datetime(2024, 3, 12, 10), datetime(2024, 3, 12, 11))
    month.show_data(_data(services, month, WED))
    month.select_meeting(m.id)
    month.show_data(_data(services, month, WED))
    assert month.current() is not None
    with qtbot.waitSignal(month.selected, timeout=1000) as blocker:
        month.show_data(ViewData(anchor=WED, tz=TZ, occurrences=[]))
    assert blocker.args == [None]
    assert month.current() is None


# --- month: how it looks ----------------------------------------------------------------------


def test_cancelled_meetings_are_struck_through_and_faded(services: Services) -> None:
    _meeting(
        services,
        "Called off",
        datetime(2024, 3, 12, 10),
        datetime(2024, 3, 12, 11),
        status=Status.CANCELLED,
        strands=["cyber"],
    )
    _meeting(
        services, "On", datetime(2024, 3, 12, 12), datetime(2024, 3, 12, 13), strands=["cyber"]
    )
    palette = _palette(services)
    data = ViewData(anchor=WED, tz=TZ, occurrences=services.queries.occurrences())
    cancelled, confirmed = _occ(data, "Called off"), _occ(data, "On")
    white = QColor("#ffffff")
    assert chip_style(cancelled, palette, white).strike
    assert not chip_style(confirmed, palette, white).strike
    assert chip_style(confirmed, palette, white).fill == palette.of(confirmed)
    assert chip_style(cancelled, palette, white).fill != palette.of(cancelled)


@pytest.mark.parametrize(
    ("fill", "text"),
    [
        ("#bcbd22", "#000000"),
        ("#17becf", "#000000"),
        ("#1f4e79", "#ffffff"),
        ("#c00000", "#ffffff"),
    ],
)
def test_chip_text_contrasts_with_its_colour(fill: str, text: str) -> None:
    assert contrasting_text(QColor(fill)).name() == text


def test_tooltip_gives_the_full_title_the_time_and_the_place(services: Services) -> None:
    _meeting(
        services,
        "Cyber <dialogue> & a title too long to show on any chip at all",
        datetime(2024, 3, 12, 10),
        datetime(2024, 3, 12, 11, 30),
        location="Brussels, Berlaymont",
    )
    (occ,) = services.queries.occurrences(
        *services.queries.day_window(date(2024, 3, 12), date(2024, 3, 12), TZ)
    )
    tip = occurrence_tooltip(occ, ZoneInfo(TZ))
    assert "Cyber &lt;dialogue&gt; &amp; a title too long to show on any chip at all" in tip
    assert "Tue 12 Mar 2024, 10:00–11:30" in tip
    assert "Brussels, Berlaymont" in tip


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, name in [
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e0e0e0"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#e0e0e0"),
        (QPalette.ColorRole.Highlight, "#3d7ad6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ]:
        palette.setColor(role, QColor(name))
    return palette


@pytest.mark.parametrize("dark", [False, True])
def test_the_views_paint_with_the_system_palette(
    services: Services, month: MonthView, week: WeekView, dark: bool
) -> None:
    if dark:
        month.setPalette(_dark_palette())
        week.setPalette(_dark_palette())
    base = month.palette().color(QPalette.ColorRole.Base)
    month.show_data(_data(services, month, WED))
    week.show_data(_data(services, week, WED))
    cell = month.day_rect(date(2024, 3, 20))
    assert month.grab().toImage().pixelColor(cell.center()) == base
    point = week.slot_point(date(2024, 3, 12), 10 * 60 + 10)
    assert week.grid.grab().toImage().pixelColor(point) == base


# --- week -------------------------------------------------------------------------------------


def test_overlapping_meetings_sit_side_by_side(services: Services, week: WeekView) -> None:
    _meeting(services, "A", datetime(2024, 3, 13, 10), datetime(2024, 3, 13, 12))
    _meeting(services, "B", datetime(2024, 3, 13, 11), datetime(2024, 3, 13, 13))
    _meeting(services, "C", datetime(2024, 3, 13, 11, 30), datetime(2024, 3, 13, 11, 45))
    _meeting(services, "Alone", datetime(2024, 3, 13, 15), datetime(2024, 3, 13, 16))
    data = _data(services, week, WED)
    week.show_data(data)
    column = week.column_rect(WED)
    rects = {}
    for title in ("A", "B", "C", "Alone"):
        rect = week.block_rect(_occ(data, title))
        assert rect is not None
        assert column.left() <= rect.left()
        assert rect.right() <= column.right()
        rects[title] = rect
    for a, b in combinations(["A", "B", "C"], 2):
        assert not rects[a].intersects(rects[b]), (a, b)
    assert rects["Alone"].width() > 2 * rects["A"].width()
    hour = week.hour_height()
    assert rects["A"].top() == pytest.approx(10 * hour, abs=1)
    assert rects["Alone"].height() == pytest.approx(hour, abs=2)


def test_meetings_are_placed_at_their_time_in_the_users_zone(
    services: Services, week: WeekView
) -> None:
    _meeting(services, "Call", datetime(2024, 3, 13, 10), datetime(2024, 3, 13, 11))
    data = _data(services, week, WED, tz="Europe/London")
    week.show_data(data)
    rect = week.block_rect(_occ(data, "Call"))
    assert rect is not None
    assert rect.top() == pytest.approx(9 * week.hour_height(), abs=1)  # 09:00 in London


def test_clicking_a_meeting_selects_it_and_double_clicking_opens_it(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    _meeting(services, "Call", datetime(2024, 3, 13, 10), datetime(2024, 3, 13, 11))
    data = _data(services, week, WED)
    week.show_data(data)
    occ = _occ(data, "Call")
    rect = week.block_rect(occ)
    assert rect is not None
    with qtbot.waitSignal(week.selected, timeout=1000) as blocker:
        qtbot.mouseClick(week.grid, LEFT, pos=rect.center())
    assert blocker.args == [occ]
    assert week.current() == occ
    with qtbot.waitSignal(week.activated, timeout=1000) as opened:
        qtbot.mouseDClick(week.grid, LEFT, pos=rect.center())
    assert opened.args == [occ]


def test_dragging_a_meeting_an_hour_down_asks_to_move_it_an_hour_later(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    _meeting(services, "Call", datetime(2024, 3, 13, 10), datetime(2024, 3, 13, 11))
    data = _data(services, week, WED, tz="Europe/London")
    week.show_data(data)
    occ = _occ(data, "Call")
    rect = week.block_rect(occ)
    assert rect is not None
    start = rect.center()
    end = start + QPoint(0, week.hour_height())
    qtbot.mousePress(week.grid, LEFT, pos=start)
    qtbot.mouseMove(week.grid, pos=start + QPoint(0, week.hour_height() // 2))
    qtbot.mouseMove(week.grid, pos=end)
    assert week.drag_target() == occ.start + timedelta(hours=1)
    with qtbot.waitSignal(week.reschedule_requested, timeout=1000) as blocker:
        qtbot.mouseRelease(week.grid, LEFT, pos=end)
    moved, new_start = blocker.args
    assert moved == occ
    assert new_start == occ.start + timedelta(hours=1)
    assert new_start.tzinfo == ZoneInfo("Europe/London")
    assert (new_start.hour, new_start.minute) == (10, 0)
    assert week.drag_target() is None


def test_dragging_to_the_next_day_snaps_to_a_quarter_hour(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    _meeting(services, "Call", datetime(2024, 3, 13, 10), datetime(2024, 3, 13, 11))
    data = _data(services, week, WED)
    week.show_data(data)
    occ = _occ(data, "Call")
    rect = week.block_rect(occ)
    assert rect is not None
    start = rect.center()
    thursday = week.column_rect(date(2024, 3, 14))
    end = QPoint(thursday.center().x(), start.y() + round(week.hour_height() * 37 / 60))
    qtbot.mousePress(week.grid, LEFT, pos=start)
    qtbot.mouseMove(week.grid, pos=end)
    with qtbot.waitSignal(week.reschedule_requested, timeout=1000) as blocker:
        qtbot.mouseRelease(week.grid, LEFT, pos=end)
    assert blocker.args[1] == datetime(2024, 3, 14, 10, 30, tzinfo=ZoneInfo(TZ))


def test_a_click_without_moving_does_not_reschedule(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    _meeting(services, "Call", datetime(2024, 3, 13, 10), datetime(2024, 3, 13, 11))
    data = _data(services, week, WED)
    week.show_data(data)
    rect = week.block_rect(_occ(data, "Call"))
    assert rect is not None
    with qtbot.assertNotEmitted(week.reschedule_requested):
        qtbot.mousePress(week.grid, LEFT, pos=rect.center())
        qtbot.mouseMove(week.grid, pos=rect.center() + QPoint(0, 2))
        qtbot.mouseRelease(week.grid, LEFT, pos=rect.center() + QPoint(0, 2))


def test_double_clicking_an_empty_slot_asks_for_an_hour_on_the_half_hour(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    tz = "America/New_York"
    week.show_data(_data(services, week, WED, tz=tz))
    point = week.slot_point(date(2024, 3, 15), 14 * 60 + 40)
    with qtbot.waitSignal(week.create_requested, timeout=1000) as blocker:
        qtbot.mouseDClick(week.grid, LEFT, pos=point)
    start, end = blocker.args
    assert start == datetime(2024, 3, 15, 14, 30, tzinfo=ZoneInfo(tz))
    assert start.tzinfo == ZoneInfo(tz)
    assert end - start == timedelta(hours=1)


def test_all_day_meetings_go_to_the_band_on_top(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    _meeting(services, "Conference", date(2024, 3, 12), date(2024, 3, 15))
    data = _data(services, week, WED)
    week.show_data(data)
    occ = _occ(data, "Conference")
    assert week.block_rect(occ) is None
    (bar,) = week.band_rects(occ)
    with qtbot.waitSignal(week.selected, timeout=1000) as blocker:
        qtbot.mouseClick(week.header, LEFT, pos=bar.center())
    assert blocker.args == [occ]
    saturday = week.column_rect(date(2024, 3, 16))
    with qtbot.waitSignal(week.create_requested, timeout=1000) as created:
        qtbot.mouseDClick(week.header, LEFT, pos=QPoint(saturday.center().x(), bar.center().y()))
    assert created.args == [date(2024, 3, 16), date(2024, 3, 17)]


def test_a_crowded_band_folds_into_more_and_unfolds_on_click(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    for i in range(6):
        _meeting(services, f"Day {i}", date(2024, 3, 13), date(2024, 3, 14))
    data = _data(services, week, WED)
    week.show_data(data)
    shown = [o for o in data.occurrences if week.band_rects(o)]
    assert 0 < len(shown) < 6
    more = week.band_more_rect(WED)
    assert more is not None
    height = week.header.height()
    qtbot.mouseClick(week.header, LEFT, pos=more.center())
    assert week.header.height() > height
    assert all(week.band_rects(o) for o in data.occurrences)


def test_the_grid_opens_at_seven_in_the_morning(week: WeekView, services: Services) -> None:
    week.show_data(_data(services, week, WED))
    value = week.scroll_area.verticalScrollBar().value()
    assert 6 * week.hour_height() < value <= 7 * week.hour_height()


def test_the_now_line_is_drawn_on_today_only(services: Services, week: WeekView) -> None:
    week.show_data(_data(services, week, WED, today=WED))
    image = week.grid.grab().toImage()
    y = 11 * week.hour_height()
    today = image.pixelColor(QPoint(week.column_rect(WED).center().x(), y))
    other = image.pixelColor(QPoint(week.column_rect(date(2024, 3, 14)).center().x(), y))
    assert today.red() > 200
    assert today.green() < 100
    assert other.red() < 250 or other.green() > 100


def test_week_select_meeting_selects_and_reports_it(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    m = _meeting(services, "Late call", datetime(2024, 3, 14, 22), datetime(2024, 3, 14, 23))
    data = _data(services, week, WED)
    week.show_data(data)
    with qtbot.waitSignal(week.selected, timeout=1000) as blocker:
        week.select_meeting(m.id)
    assert blocker.args == [_occ(data, "Late call")]
    assert week.current() == _occ(data, "Late call")
    rect = week.block_rect(_occ(data, "Late call"))
    assert rect is not None
    visible = week.grid.visibleRegion().boundingRect()
    assert visible.contains(rect)


def test_week_arrow_keys_step_through_meetings_and_enter_opens(
    services: Services, week: WeekView, qtbot: QtBot
) -> None:
    _meeting(services, "Early", datetime(2024, 3, 12, 9), datetime(2024, 3, 12, 10))
    _meeting(services, "Later", datetime(2024, 3, 14, 9), datetime(2024, 3, 14, 10))
    data = _data(services, week, WED)
    week.show_data(data)
    week.setFocus()
    qtbot.keyClick(week, Qt.Key.Key_Right)
    assert week.current() == _occ(data, "Early")
    qtbot.keyClick(week, Qt.Key.Key_Right)
    assert week.current() == _occ(data, "Later")
    with qtbot.waitSignal(week.activated, timeout=1000) as blocker:
        qtbot.keyClick(week, Qt.Key.Key_Return)
    assert blocker.args == [_occ(data, "Later")]
