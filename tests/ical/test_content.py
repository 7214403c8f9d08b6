"""The importer's own content-line parser: what our export writes, and what clients write."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison_calendar.domain.text import clean_text
from liaison_calendar.ical import content, lines

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))


@given(TEXT, TEXT)
def test_a_parameter_and_a_value_as_our_export_writes_them_read_back_unchanged(
    param: str, value: str
) -> None:
    written = lines.prop(
        "X-LIAISON-AGENDA", lines.escape_text(value), f";X-LEAD={lines.param_value(param)}"
    )
    unfolded = content.unfolded_lines(written)

    assert len(unfolded) == 1
    prop = content.parse_line(unfolded[0])
    assert prop is not None
    assert prop.name == "X-LIAISON-AGENDA"
    assert prop.params.get("X-LEAD", "") == clean_text(param)
    assert prop.text == clean_text(value)


@given(st.lists(TEXT.filter(lambda t: clean_text(t) != ""), max_size=5))
def test_a_text_list_as_our_export_writes_it_reads_back_item_by_item(items: list[str]) -> None:
    written = lines.text_list(items)

    assert content.text_list(written) == [clean_text(i) for i in items]


@pytest.mark.parametrize(
    ("line", "name", "params", "value"),
    [
        ("SUMMARY:Staff Talks", "SUMMARY", {}, "Staff Talks"),
        ("summary:lower case name", "SUMMARY", {}, "lower case name"),
        ("LOCATION:", "LOCATION", {}, ""),
        (
            'ATTENDEE;CN="Dubois, Pierre; EEAS: Brussels";ROLE=CHAIR:mailto:p@example.eu',
            "ATTENDEE",
            {"CN": "Dubois, Pierre; EEAS: Brussels", "ROLE": "CHAIR"},
            "mailto:p@example.eu",
        ),
        (
            "X-A;X-NOTE=line one^nline ^'two^' ^^:v",
            "X-A",
            {"X-NOTE": 'line one\nline "two" ^'},
            "v",
        ),
        (
            'DTSTART;TZID="W. Europe Standard Time":20240305T090000',
            "DTSTART",
            {"TZID": "W. Europe Standard Time"},
            "20240305T090000",
        ),
        ("URL:https://example.eu/a:b", "URL", {}, "https://example.eu/a:b"),
    ],
    ids=["plain", "lower-case", "empty", "quoted", "rfc6868", "windows-zone", "colon-in-value"],
)
def test_content_lines_are_split_into_name_parameters_and_value(
    line: str, name: str, params: dict[str, str], value: str
) -> None:
    assert content.parse_line(line) == content.Prop(name, params, value)


@pytest.mark.parametrize(
    "line", ["no colon at all", ";X=1:value", 'A;CN="unclosed:value', "A;NOEQUALS:value"]
)
def test_what_is_not_a_content_line_is_none(line: str) -> None:
    assert content.parse_line(line) is None


def test_folded_lines_are_unfolded_whatever_the_line_ends() -> None:
    text = "SUMMARY:Structured Dia\r\n logue\nLOCATION:Brus\n\tsels\rDESCRIPTION:a\r\n\r\n"

    assert content.unfolded_lines(text) == [
        "SUMMARY:Structured Dialogue",
        "LOCATION:Brussels",
        "DESCRIPTION:a",
    ]


def test_nested_components_are_left_out_of_their_event() -> None:
    event = content.component(
        [
            "BEGIN:VEVENT",
            "SUMMARY:Staff Talks",
            "BEGIN:VALARM",
            "DESCRIPTION:Reminder",
            "END:VALARM",
            "DESCRIPTION:The agenda",
            "END:VEVENT",
        ]
    )

    assert event.text("SUMMARY") == "Staff Talks"
    assert [p.text for p in event.all("DESCRIPTION")] == ["The agenda"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("20240305", date(2024, 3, 5)),
        ("20240305T090000", datetime(2024, 3, 5, 9, 0)),  # noqa: DTZ001 - floating or TZID
        ("20240305T090000Z", datetime(2024, 3, 5, 9, 0, tzinfo=UTC)),
        ("20161231T235960Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),  # leap second
    ],
)
def test_dates_and_times(text: str, value: date | datetime) -> None:
    assert content.date_or_time(text) == value


@pytest.mark.parametrize("text", ["20240230", "2024-03-05", "20240305T25", "20240305T250000", ""])
def test_an_impossible_or_malformed_date_is_an_error_not_a_guess(text: str) -> None:
    with pytest.raises(content.BadValue):
        content.date_or_time(text)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("P1D", timedelta(days=1)),
        ("P2W", timedelta(weeks=2)),
        ("-PT15M", -timedelta(minutes=15)),
        ("P1DT12H", timedelta(days=1, hours=12)),
    ],
)
def test_durations(text: str, span: timedelta) -> None:
    assert content.duration(text) == span


@pytest.mark.parametrize("text", ["P", "PT", "1H", "PT1.5H", ""])
def test_a_malformed_duration_is_an_error(text: str) -> None:
    with pytest.raises(content.BadValue):
        content.duration(text)


def test_exdate_and_rdate_lists_keep_dates_and_count_the_periods_left_out() -> None:
    props = [
        content.Prop("RDATE", {}, "20240305T090000Z,20240312T090000Z"),
        content.Prop("RDATE", {"VALUE": "PERIOD"}, "20240319T090000Z/PT1H"),
        content.Prop("RDATE", {"VALUE": "DATE"}, "20240326"),
    ]

    found, periods = content.date_or_time_list(props)

    assert found == [
        datetime(2024, 3, 5, 9, tzinfo=UTC),
        datetime(2024, 3, 12, 9, tzinfo=UTC),
        date(2024, 3, 26),
    ]
    assert periods == 1
