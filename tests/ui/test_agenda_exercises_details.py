"""The agenda view, the exercises timeline and the details pane, driven like a user would."""

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from liaison_calendar.domain.briefs import BriefOccurrence
from liaison_calendar.domain.enums import (
    ActionStatus,
    ExercisePart,
    PhaseType,
    Side,
    Status,
)
from liaison_calendar.domain.models import (
    ActionItemDraft,
    AgendaItemDraft,
    ExerciseDraft,
    MeetingDetail,
    MeetingDraft,
    ParticipantDraft,
    PhaseDraft,
    SeriesDraft,
)
from liaison_calendar.services.context import Services
from liaison_calendar.services.demo import seed_demo
from liaison_calendar.ui.details import DetailsPane
from liaison_calendar.ui.views.agenda import (
    AGENDA_DAYS,
    OCCURRENCE_ROLE,
    AgendaView,
    Column,
)
from liaison_calendar.ui.views.base import Palette, ViewData
from liaison_calendar.ui.views.exercises import PHASE_COLOURS, ExercisesView

BRUSSELS = "Europe/Brussels"


def _palette(services: Services) -> Palette:
    return Palette(
        strands={s.key: s.colour for s in services.catalog.strands()},
        kinds={k.key: k.colour for k in services.catalog.kinds()},
    )


def _agenda_data(
    services: Services, view: AgendaView, anchor: date, tz: str = BRUSSELS
) -> ViewData:
    """What the main window hands the view: the occurrences of exactly ``period(anchor)``."""
    first, end = view.period(anchor)
    window = services.queries.day_window(first, end - timedelta(days=1), tz)
    return ViewData(
        anchor=anchor,
        tz=tz,
        occurrences=services.queries.occurrences(*window),
        palette=_palette(services),
        today=anchor,
    )


def _meeting(
    services: Services, title: str, start: datetime | date, end: datetime | date, **kw: object
) -> MeetingDetail:
    return services.meetings.create(MeetingDraft(title=title, start=start, end=end, **kw))  # type: ignore[arg-type]


def _shown_agenda(qtbot: QtBot, view: AgendaView) -> AgendaView:
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def _children_titles(view: AgendaView, day_row: int) -> list[str]:
    model = view.model
    parent = model.index(day_row, 0)
    return [
        model.index(r, Column.TITLE, parent).data(OCCURRENCE_ROLE).meeting.title
        for r in range(model.rowCount(parent))
    ]


# --- agenda ----------------------------------------------------------------------------------


def test_agenda_period_is_sixty_days_from_the_anchor(qtbot: QtBot) -> None:
    view = AgendaView()
    qtbot.addWidget(view)
    assert AGENDA_DAYS == 60
    assert view.period(date(2024, 3, 1)) == (date(2024, 3, 1), date(2024, 4, 30))


def test_agenda_groups_by_day_in_the_users_zone_and_in_time_order(
    qtbot: QtBot, services: Services
) -> None:
    # Created out of order; the Kyiv one starts on 13 March there but on 12 March in Brussels.
    _meeting(services, "Afternoon talks", datetime(2024, 3, 12, 14), datetime(2024, 3, 12, 15))
    _meeting(
        services,
        "Late call from Kyiv",
        datetime(2024, 3, 13, 0, 30),
        datetime(2024, 3, 13, 1, 0),
        tz="Europe/Kyiv",
    )
    _meeting(services, "Morning talks", datetime(2024, 3, 12, 9), datetime(2024, 3, 12, 10))
    _meeting(services, "Away day", date(2024, 3, 12), date(2024, 3, 13))
    _meeting(services, "Next week", datetime(2024, 3, 19, 9), datetime(2024, 3, 19, 10))
    _meeting(services, "Too late", datetime(2024, 6, 1, 9), datetime(2024, 6, 1, 10))
    view = _shown_agenda(qtbot, AgendaView())
    view.show_data(_agenda_data(services, view, date(2024, 3, 10)))

    model = view.model
    assert model.days() == [date(2024, 3, 12), date(2024, 3, 19)]
    assert _children_titles(view, 0) == [
        "Away day",
        "Morning talks",
        "Afternoon talks",
        "Late call from Kyiv",
    ]
    assert _children_titles(view, 1) == ["Next week"]
    day = model.index(0, 0)
    assert model.index(0, Column.TIME).data() == "Tuesday 12 March 2024"
    assert model.index(0, Column.TIME, day).data() == "All day"
    assert model.index(1, Column.TIME, day).data() == "09:00–10:00"
    assert model.index(3, Column.TIME, day).data() == "23:30–00:00"
    # Day headers span the row and cannot be selected; meetings can.
    assert view.tree.isFirstColumnSpanned(0, model.index(0, 0).parent())
    assert not model.flags(day) & Qt.ItemFlag.ItemIsSelectable
    assert model.flags(model.index(0, 0, day)) & Qt.ItemFlag.ItemIsSelectable
    assert not view.is_empty()


def test_agenda_row_shows_time_swatch_struck_through_cancelled_location_and_kind(
    qtbot: QtBot, services: Services
) -> None:
    kept = _meeting(
        services,
        "Cyber dialogue",
        datetime(2024, 3, 12, 9),
        datetime(2024, 3, 12, 10),
        strands=["cyber"],
        kind="structured-dialogue",
        location="EEAS, Brussels",
    )
    dropped = _meeting(
        services,
        "Dropped talks",
        datetime(2024, 3, 12, 11),
        datetime(2024, 3, 12, 12),
        kind="staff-talks",
    )
    services.meetings.cancel(dropped.id)
    kinds = {k.key: k.name for k in services.catalog.kinds()}
    view = _shown_agenda(qtbot, AgendaView(kind_names=kinds))
    data = _agenda_data(services, view, date(2024, 3, 1))
    view.show_data(data)

    day = view.model.index(0, 0)
    first = view.model.index(0, Column.TITLE, day)
    second = view.model.index(1, Column.TITLE, day)
    assert first.data(OCCURRENCE_ROLE).meeting.id == kept.id
    assert first.data() == "Cyber dialogue"
    swatch = first.data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(swatch, QColor)
    assert swatch.name() == data.palette.strands["cyber"]  # the strand's, not the kind's
    assert not first.data(Qt.ItemDataRole.FontRole)  # no special font when confirmed
    assert view.model.index(0, Column.LOCATION, day).data() == "EEAS, Brussels"
    assert view.model.index(0, Column.KIND, day).data() == "Structured dialogue"
    assert second.data(OCCURRENCE_ROLE).meeting.status is Status.CANCELLED
    assert second.data(Qt.ItemDataRole.FontRole).strikeOut()
    assert second.data(Qt.ItemDataRole.DecorationRole).name() == data.palette.kinds["staff-talks"]


def test_agenda_click_selects_and_double_click_or_enter_activates(
    qtbot: QtBot, services: Services
) -> None:
    _meeting(services, "First", datetime(2024, 3, 12, 9), datetime(2024, 3, 12, 10))
    second = _meeting(services, "Second", datetime(2024, 3, 14, 9), datetime(2024, 3, 14, 10))
    view = _shown_agenda(qtbot, AgendaView())
    view.show_data(_agenda_data(services, view, date(2024, 3, 1)))
    index = view.model.index(0, Column.TITLE, view.model.index(1, 0))
    point = view.tree.visualRect(index).center()

    def is_second(occ: BriefOccurrence | None) -> bool:
        return occ is not None and occ.meeting.id == second.id

    with qtbot.waitSignal(view.selected, check_params_cb=is_second):
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=point)
    current = view.current()
    assert current is not None
    assert current.meeting.id == second.id
    with qtbot.waitSignal(view.activated, check_params_cb=is_second):
        qtbot.mouseDClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=point)
    view.tree.setFocus()
    with qtbot.waitSignal(view.activated, check_params_cb=is_second):
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    # A click on a day header is no meeting.
    header = view.tree.visualRect(view.model.index(0, 0)).center()
    with qtbot.waitSignal(view.selected, check_params_cb=lambda occ: occ is None):
        qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=header)


def test_agenda_select_meeting_survives_a_refresh(qtbot: QtBot, services: Services) -> None:
    _meeting(services, "First", datetime(2024, 3, 12, 9), datetime(2024, 3, 12, 10))
    weekly = _meeting(
        services,
        "Weekly",
        datetime(2024, 3, 11, 9),
        datetime(2024, 3, 11, 10),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    view = _shown_agenda(qtbot, AgendaView())
    data = _agenda_data(services, view, date(2024, 3, 1))
    view.show_data(data)
    with qtbot.waitSignal(view.selected):
        view.select_meeting(weekly.id, date(2024, 3, 18))
    current = view.current()
    assert current is not None
    assert current.start == datetime(2024, 3, 18, 9, tzinfo=current.start.tzinfo)  # type: ignore[union-attr]
    with qtbot.assertNotEmitted(view.selected):
        view.show_data(data)
    assert view.current() == current


def test_agenda_model_passes_the_model_tester(
    qtbot: QtBot, services: Services, qtmodeltester: ModelTester
) -> None:
    seed_demo(services)
    view = _shown_agenda(qtbot, AgendaView())
    qtmodeltester.check(view.model)  # empty
    view.show_data(_agenda_data(services, view, date(2024, 9, 1)))
    assert view.model.rowCount() > 5
    qtmodeltester.check(view.model)


def test_agenda_shows_a_placeholder_when_the_period_is_empty(
    qtbot: QtBot, services: Services
) -> None:
    _meeting(services, "Later", datetime(2024, 9, 3, 9), datetime(2024, 9, 3, 10))
    view = _shown_agenda(qtbot, AgendaView())
    view.show_data(_agenda_data(services, view, date(2024, 3, 1)))
    assert view.is_empty()
    assert view.placeholder.isVisible()
    assert not view.tree.isVisible()
    assert view.placeholder.text() == "No meetings in the next 60 days"
    view.show_data(_agenda_data(services, view, date(2024, 8, 1)))
    assert not view.is_empty()
    assert view.tree.isVisible()
    assert not view.placeholder.isVisible()


# --- exercises -------------------------------------------------------------------------------


def _second_exercise(services: Services) -> None:
    services.exercises.create(
        ExerciseDraft(
            name="Cyber Coalition 2025",
            programme="NATO exercises",
            period_start=date(2025, 3, 1),
            period_end=date(2025, 12, 1),
            phases=[
                PhaseDraft(
                    name="Execution (EU part)",
                    phase_type=PhaseType.EXECUTION,
                    part=ExercisePart.EU,
                    start=date(2025, 11, 10),
                    end=date(2025, 11, 20),
                ),
                PhaseDraft(
                    name="Execution (NATO part)",
                    phase_type=PhaseType.EXECUTION,
                    part=ExercisePart.NATO,
                    start=date(2025, 11, 12),
                    end=date(2025, 11, 22),
                ),
            ],
        )
    )


def _shown_exercises(qtbot: QtBot, services: Services, today: date | None = None) -> ExercisesView:
    view = ExercisesView()
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    view.show_data(
        ViewData(
            anchor=date(2024, 6, 1),
            tz=BRUSSELS,
            occurrences=[],
            exercises=services.exercises.list(),
            today=today,
        )
    )
    return view


def test_exercises_view_draws_one_row_per_exercise_with_its_phases_in_order(
    qtbot: QtBot, services: Services
) -> None:
    seed_demo(services)
    _second_exercise(services)
    exercises = services.exercises.list()
    assert len(exercises) == 2
    view = _shown_exercises(qtbot, services)

    rows = view.canvas.row_rects()
    assert len(rows) == len(exercises)
    assert rows[0].bottom() <= rows[1].top()  # stacked, the earlier programme first
    assert view.period(date(2030, 1, 1)) == (date(2024, 1, 1), date(2026, 1, 1))
    for exercise, row in zip(sorted(exercises, key=lambda e: e.period_start), rows, strict=True):
        rects = [view.phase_rect(p.id) for p in sorted(exercise.phases, key=lambda p: p.start)]
        assert all(r is not None and row.contains(r) for r in rects)
        lefts = [r.left() for r in rects if r is not None]
        assert lefts == sorted(lefts)
        assert min(lefts) >= view.canvas.track_left()
    # Overlapping phases of one exercise go on separate lanes.
    coalition = next(e for e in exercises if e.name == "Cyber Coalition 2025")
    eu, nato = (view.phase_rect(p.id) for p in coalition.phases)
    assert eu is not None
    assert nato is not None
    assert not eu.intersects(nato)


def test_click_on_a_phase_emits_phase_activated_with_that_phase(
    qtbot: QtBot, services: Services
) -> None:
    seed_demo(services)
    view = _shown_exercises(qtbot, services)
    pace = services.exercises.list()[0]
    target = next(p for p in pace.phases if p.name == "Initial planning conference")
    assert target.meeting_id is not None
    rect = view.phase_rect(target.id)
    assert rect is not None
    assert view.phase_at(rect.center()) == target

    with qtbot.waitSignal(view.phase_activated, check_params_cb=lambda p: p == target):
        qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert view.canvas.selected_phase() == target.id
    # A click on an empty part of the row activates nothing.
    empty = QPoint(int(view.canvas.track_left()) + 3, int(rect.center().y()))
    assert view.phase_at(empty) is None
    with qtbot.assertNotEmitted(view.phase_activated):
        qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=empty)


def test_phase_tooltip_gives_name_dates_and_location_escaped(
    qtbot: QtBot, services: Services
) -> None:
    services.exercises.create(
        ExerciseDraft(
            name="Ex <b>bold</b>",
            period_start=date(2025, 1, 1),
            period_end=date(2026, 1, 1),
            phases=[
                PhaseDraft(
                    name="Planning <i>one</i>",
                    phase_type=PhaseType.PLANNING_CONFERENCE,
                    start=date(2025, 9, 30),
                    end=date(2025, 10, 3),
                    location="Mons & Brussels",
                )
            ],
        )
    )
    view = _shown_exercises(qtbot, services)
    phase = services.exercises.list()[0].phases[0]
    rect = view.phase_rect(phase.id)
    assert rect is not None
    tip = view.canvas.tooltip_at(rect.center())
    assert tip is not None
    assert "Planning &lt;i&gt;one&lt;/i&gt;" in tip
    assert "<i>one</i>" not in tip
    assert "30 Sep – 2 Oct 2025 (3 days)" in tip
    assert "Planning conference · Joint" in tip
    assert "Mons &amp; Brussels" in tip


def test_exercises_timeline_paints_phase_colours_on_a_dark_palette(
    qtbot: QtBot, services: Services
) -> None:
    seed_demo(services)
    view = _shown_exercises(qtbot, services, today=date(2024, 6, 1))
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.AlternateBase, QColor("#2a2a2a"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    view.canvas.setPalette(dark)
    image = view.canvas.grab().toImage()
    for phase in services.exercises.list()[0].phases:
        rect = view.phase_rect(phase.id)
        assert rect is not None
        centre = rect.center().toPoint()
        assert image.pixelColor(centre).name() == PHASE_COLOURS[phase.phase_type]
    background = image.pixelColor(QPoint(view.canvas.width() - 3, view.canvas.height() - 3))
    assert background.lightness() < 60


def test_exercises_period_without_exercises_is_the_anchor_year_and_one_each_side(
    qtbot: QtBot,
) -> None:
    view = ExercisesView()
    qtbot.addWidget(view)
    assert view.period(date(2026, 11, 25)) == (date(2025, 1, 1), date(2028, 1, 1))


# --- details ---------------------------------------------------------------------------------


def _pane(qtbot: QtBot, **kw: object) -> DetailsPane:
    pane = DetailsPane(**kw)  # type: ignore[arg-type]
    qtbot.addWidget(pane)
    return pane


def test_details_show_a_kyiv_meeting_in_its_zone_and_in_brussels(
    qtbot: QtBot, services: Services
) -> None:
    detail = _meeting(
        services,
        "Local cross-briefing in Kyiv",
        datetime(2024, 9, 10, 11),
        datetime(2024, 9, 10, 13),
        tz="Europe/Kyiv",
        location="EU Delegation to Ukraine, Kyiv",
    )
    pane = _pane(qtbot)
    pane.show_meeting(detail, detail.start, detail.end, user_tz=BRUSSELS)
    text = pane.text()
    assert "Tue 10 Sep 2024, 11:00–13:00 EEST (Europe/Kyiv)" in text
    assert "Your time" in text
    assert "Tue 10 Sep 2024, 10:00–12:00 CEST (Europe/Brussels)" in text
    assert "EU Delegation to Ukraine, Kyiv (in person)" in text
    # Seen from Kyiv there is one time only.
    pane.show_meeting(detail, detail.start, detail.end, user_tz="Europe/Kyiv")
    assert "Your time" not in pane.text()
    assert "Europe/Brussels" not in pane.text()


def test_details_warn_when_the_agenda_runs_past_the_end(qtbot: QtBot, services: Services) -> None:
    detail = _meeting(
        services,
        "Packed meeting",
        datetime(2024, 3, 12, 10),
        datetime(2024, 3, 12, 11),
        agenda=[
            AgendaItemDraft(title="Opening", lead="Chair", duration_min=40),
            AgendaItemDraft(title="Long item", lead="Eva Horvath", duration_min=30),
        ],
    )
    assert detail.overrun == timedelta(minutes=10)
    pane = _pane(qtbot)
    pane.show_meeting(detail, user_tz=BRUSSELS)
    text = pane.text()
    assert "The agenda runs 10 min past the end of the meeting (planned to end at 11:00)" in text
    assert "10:00–10:40" in text
    assert "10:40–11:10" in text
    assert "Eva Horvath" in text
    assert "30 min" in text

    fits = services.meetings.remove_agenda_item(detail.agenda[1].id)
    pane.show_meeting(fits, user_tz=BRUSSELS)
    assert "past the end" not in pane.text()
    assert "10:00–10:40" in pane.text()


def test_details_agenda_times_follow_the_chosen_occurrence(
    qtbot: QtBot, services: Services
) -> None:
    detail = _meeting(
        services,
        "Weekly",
        datetime(2024, 3, 11, 9),
        datetime(2024, 3, 11, 10),
        rrule="FREQ=WEEKLY;COUNT=4",
        agenda=[AgendaItemDraft(title="Round", duration_min=20)],
    )
    assert isinstance(detail.start, datetime)
    later = detail.start + timedelta(days=14, hours=2)  # an occurrence moved to 11:00
    pane = _pane(qtbot)
    pane.show_meeting(detail, later, later + timedelta(hours=1), user_tz=BRUSSELS)
    text = pane.text()
    assert "Mon 25 Mar 2024, 11:00–12:00" in text
    assert "11:00–11:20" in text
    assert "09:00–09:20" not in text


def test_details_show_series_iteration_strands_participants_and_open_actions(
    qtbot: QtBot, services: Services
) -> None:
    services.series.create(SeriesDraft(name="Staff talks on cyber", strands=["cyber"]))
    first = services.series.next_iteration("Staff talks on cyber", datetime(2024, 3, 12, 9))
    services.meetings.add_participant(
        first.id, ParticipantDraft(name="Ann Smith", organisation="EEAS", side=Side.EU)
    )
    services.meetings.add_participant(
        first.id,
        ParticipantDraft(
            name="Bo Berg", organisation="NATO International Staff", side=Side.NATO, role="Adviser"
        ),
    )
    services.meetings.add_participant(
        first.id, ParticipantDraft(name="Cy Cole", organisation="EEAS", side=Side.EU)
    )
    services.meetings.add_action_item(first.id, ActionItemDraft(text="Send the minutes"))
    services.meetings.add_action_item(
        first.id, ActionItemDraft(text="Book the room", status=ActionStatus.DONE)
    )
    second = services.series.next_iteration("Staff talks on cyber", datetime(2024, 6, 12, 9))
    services.meetings.add_action_item(
        second.id, ActionItemDraft(text="Draft the report", owner="Ann Smith", due=date(2024, 7, 1))
    )
    second = services.meetings.get(second.id)
    strands = {s.key: s.name for s in services.catalog.strands()}
    pane = _pane(qtbot, strand_names=strands)
    pane.show_meeting(second, user_tz=BRUSSELS)
    text = pane.text()
    assert "Staff talks on cyber – 2nd iteration" in text
    assert "Cyber security and defence" in text
    # Grouped: EEAS heading, then both of its people; NATO after.
    eeas, ann, cy = text.index("EEAS (EU)"), text.index("Ann Smith"), text.index("Cy Cole")
    nato = text.index("NATO International Staff (NATO)")
    assert eeas < ann < cy < nato < text.index("Bo Berg — Adviser")
    assert "Open action items (2)" in text
    assert "Send the minutes (carried over from the previous iteration)" in text
    assert "Draft the report — Ann Smith, due Mon 1 Jul 2024" in text
    assert "Book the room" not in text
    # Without names, the keys.
    pane.set_names(strands={})
    assert "Cyber security and defence" not in pane.text()
    assert "cyber" in pane.text()


def test_details_escape_hostile_text(qtbot: QtBot, services: Services) -> None:
    hostile = "<img src=x> & <b>"
    detail = _meeting(
        services,
        hostile,
        datetime(2024, 3, 12, 10),
        datetime(2024, 3, 12, 11),
        location="<a href='http://evil'>here</a>",
        description="<script>alert(1)</script>\nsecond line",
        participants=[ParticipantDraft(name="<i>Eve</i>", organisation="<h1>Org</h1>")],
        agenda=[AgendaItemDraft(title="<table>", lead="<u>Lee</u>", duration_min=10)],
    )
    pane = _pane(qtbot)
    pane.show_meeting(detail, user_tz=BRUSSELS, series_name="<s>series</s>")
    text = pane.text()
    for literal in (
        hostile,
        "<a href='http://evil'>here</a>",
        "<script>alert(1)</script>",
        "<i>Eve</i>",
        "<h1>Org</h1>",
        "<table>",
        "<u>Lee</u>",
        "<s>series</s>",
    ):
        assert literal in text
    assert "second line" in text
    page = pane.html()
    assert "<img" not in page
    assert "<script" not in page
    assert "&lt;img src=x&gt; &amp; &lt;b&gt;" in page
    assert "<img" not in pane.browser.toHtml()


def test_details_clear_shows_a_hint(qtbot: QtBot, services: Services) -> None:
    detail = _meeting(services, "Talks", datetime(2024, 3, 12, 10), datetime(2024, 3, 12, 11))
    pane = _pane(qtbot)
    pane.show_meeting(detail, user_tz=BRUSSELS)
    assert pane.meeting() == detail
    pane.clear()
    assert pane.meeting() is None
    assert "Talks" not in pane.text()
    assert "Select a meeting" in pane.text()


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 7, 9), date(2024, 7, 10), "Tue 9 Jul 2024 (all day)"),
        (date(2024, 7, 9), date(2024, 7, 12), "Tue 9 – Thu 11 Jul 2024 (all day, 3 days)"),
    ],
)
def test_details_all_day_meeting_shows_its_days_without_zones(
    qtbot: QtBot, services: Services, start: date, end: date, expected: str
) -> None:
    detail = _meeting(services, "Summit", start, end, tz="America/New_York")
    pane = _pane(qtbot)
    pane.show_meeting(detail, user_tz=BRUSSELS)
    assert expected in pane.text()
    assert "Your time" not in pane.text()
