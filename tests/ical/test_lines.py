"""RFC 5545 content lines: TEXT escaping, parameter quoting, folding and date-time stamps."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from liaison_calendar.ical.lines import (
    date_stamp,
    escape_text,
    fold,
    local_stamp,
    param_value,
    prop,
    text_list,
    utc_stamp,
)

CRLF = "\r\n"
# Any text but lone surrogates, which cannot be encoded as UTF-8 at all.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
# What can stand on one content line: no raw line breaks (escape_text turns those into \n).
ONE_LINE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n")
)


def _param_text_icalendar_keeps(name: str) -> bool:
    """icalendar drops an empty parameter value altogether."""
    return without_controls(name) != ""


# icalendar unescapes backslashes in parameter values, against RFC 5545: those get their own test.
PARAM_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\\")
).filter(_param_text_icalendar_keeps)


def physical_lines(folded: str) -> list[bytes]:
    """The octets of each physical line, without their CRLF; checks the CRLF is there."""
    raw = folded.encode("utf-8")
    assert raw.endswith(b"\r\n")
    return raw[:-2].split(b"\r\n")


def unfold(folded: str) -> str:
    """RFC 5545 section 3.1 unfolding: drop every CRLF followed by one space, then the last CRLF."""
    assert folded.endswith(CRLF)
    return folded.replace(CRLF + " ", "")[: -len(CRLF)]


def calendar_with(*content_lines: str) -> str:
    """A minimal VCALENDAR with one VEVENT holding ``content_lines`` (already folded)."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//lines//EN\r\n"
        "BEGIN:VEVENT\r\nUID:lines@test\r\nDTSTAMP:20240101T000000Z\r\n"
        "DTSTART:20240612T073000Z\r\n" + "".join(content_lines) + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def parsed_event(text: str) -> icalendar.Component:
    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def without_controls(text: str) -> str:
    """What a TEXT value should read as: line breaks as LF, other C0 controls and DEL gone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\t\n" or not (c < " " or c == "\x7f"))


# --- escape_text -------------------------------------------------------------------------------


def test_backslash_semicolon_and_comma_are_escaped_with_a_backslash() -> None:
    assert escape_text("a\\b;c,d") == "a\\\\b\\;c\\,d"


def test_an_escaped_backslash_is_not_escaped_twice() -> None:
    # One backslash becomes two, and the escape of a comma right after it stays separate.
    assert escape_text("\\,") == "\\\\\\,"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_kind_of_newline_becomes_backslash_n(newline: str) -> None:
    assert escape_text(f"first{newline}second") == "first\\nsecond"


def test_a_crlf_pair_counts_as_one_newline_but_lf_cr_as_two() -> None:
    assert escape_text("a\r\n\r\nb") == "a\\n\\nb"
    assert escape_text("a\n\rb") == "a\\n\\nb"


def test_control_characters_are_dropped_but_a_tab_is_kept() -> None:
    assert escape_text("a\x00b\x07c\x0bd\x0ce\x1bf\x1fg\x7fh\ti") == "abcdefgh\ti"


def test_colons_quotes_and_non_ascii_text_are_left_as_they_are() -> None:
    text = 'Agenda: "Дорожня карта" — Ελλάδα 🇪🇺 café'
    assert escape_text(text) == text


def test_a_category_list_escapes_each_value_and_joins_them_with_bare_commas() -> None:
    assert text_list(["EU, NATO", "a;b", "plain"]) == "EU\\, NATO,a\\;b,plain"
    assert text_list([]) == ""


def test_escaped_categories_read_back_as_the_original_values() -> None:
    values = ["EU, NATO", "a;b", "back\\slash", "Σύσκεψη"]
    event = parsed_event(calendar_with(prop("CATEGORIES", text_list(values))))
    categories = event["CATEGORIES"]
    assert isinstance(categories, icalendar.vCategory)
    assert list(categories.cats) == values


# --- param_value -------------------------------------------------------------------------------


def test_a_plain_word_is_not_quoted_and_anything_else_is() -> None:
    assert param_value("Europe/Brussels") == "Europe/Brussels"
    assert param_value("REQ-PARTICIPANT") == "REQ-PARTICIPANT"
    assert param_value("Jean Dupont") == '"Jean Dupont"'  # icalendar strips spaces around "="
    assert param_value("x =y") == '"x =y"'


@pytest.mark.parametrize("value", ["mailto:a@b.eu", "Dupont; Jean", "Dupont, Jean"])
def test_a_parameter_value_with_a_colon_semicolon_or_comma_is_quoted(value: str) -> None:
    assert param_value(value) == f'"{value}"'


def test_a_double_quote_in_a_parameter_value_is_caret_escaped_and_reads_back() -> None:
    assert param_value('Jean "JD" Dupont') == "\"Jean ^'JD^' Dupont\""
    assert param_value('Dupont, "JD"') == "\"Dupont, ^'JD^'\""
    name = 'Dupont, "JD"'
    line = prop("ATTENDEE", "mailto:jd@example.eu", ";CN=" + param_value(name))
    assert parsed_event(calendar_with(line))["ATTENDEE"].params["CN"] == name


def test_line_breaks_in_a_parameter_value_are_caret_escaped_and_controls_dropped() -> None:
    assert param_value("Jean\r\nDupont\x07") == '"Jean^nDupont"'
    assert param_value("a\nb\x00c") == '"a^nbc"'


@pytest.mark.parametrize(
    "name", ["Dupont, Jean", "Dupont; Jean", "J. Dupont: Chair", "Jean Dupont", "Ольга Коваль"]
)
def test_a_quoted_common_name_reads_back_unchanged(name: str) -> None:
    line = prop("ATTENDEE", "mailto:jd@example.eu", f";CN={param_value(name)}")
    event = parsed_event(calendar_with(line))
    assert event["ATTENDEE"].params["CN"] == name


def test_a_caret_in_a_parameter_value_reads_back_unchanged() -> None:
    name = "Team ^'A^' ^nNorth"
    line = prop("ATTENDEE", "mailto:jd@example.eu", f";CN={param_value(name)}")
    event = parsed_event(calendar_with(line))
    assert event["ATTENDEE"].params["CN"] == name


def test_a_caret_is_doubled_before_the_other_caret_escapes_are_added() -> None:
    assert param_value("^") == '"^^"'
    assert param_value("^n") == '"^^n"'  # a literal caret and letter n, not a line break
    assert param_value('^"') == '"^^^\'"'
    assert param_value("^\n") == '"^^^n"'


@given(PARAM_TEXT)
def test_any_parameter_value_reads_back_in_icalendar_and_ical_as_the_original(name: str) -> None:
    expected = without_controls(name)
    text = calendar_with(prop("ATTENDEE", "mailto:jd@example.eu", f";CN={param_value(name)}"))
    attendee = parsed_event(text)["ATTENDEE"]
    assert attendee.params["CN"] == expected
    assert str(attendee) == "mailto:jd@example.eu"
    (read,) = IcsCalendarStream.calendar_from_ics(text).events[0].attendees
    assert read.common_name == expected
    assert read.uri == "mailto:jd@example.eu"


def test_a_parameter_value_ending_in_a_backslash_keeps_the_property_value_in_icalendar() -> None:
    name = "CORP\\jd\\"
    line = prop("ATTENDEE", "mailto:jd@example.eu", ";CN=" + param_value(name))
    attendee = parsed_event(calendar_with(line))["ATTENDEE"]
    assert attendee.params["CN"] == name
    assert str(attendee) == "mailto:jd@example.eu"


def test_spaces_around_a_parameter_value_survive_icalendar() -> None:
    line = prop("ATTENDEE", "mailto:jd@example.eu", f";CN={param_value(' Jean Dupont ')}")
    assert parsed_event(calendar_with(line))["ATTENDEE"].params["CN"] == " Jean Dupont "


# --- fold --------------------------------------------------------------------------------------


def test_a_short_line_is_returned_with_a_crlf_and_not_folded() -> None:
    assert fold("SUMMARY:Weekly sync") == "SUMMARY:Weekly sync\r\n"


def test_a_line_of_exactly_75_octets_is_not_folded() -> None:
    line = "X" * 75
    assert fold(line) == line + CRLF


def test_a_line_of_76_octets_is_folded_into_75_and_a_continuation() -> None:
    line = "X" * 76
    assert fold(line) == "X" * 75 + "\r\n X\r\n"


def test_continuation_lines_hold_74_octets_after_their_leading_space() -> None:
    folded = fold("Y" * 300)
    lines = physical_lines(folded)
    assert [len(line) for line in lines] == [75, 75, 75, 75, 4]
    assert all(line.startswith(b" ") for line in lines[1:])
    assert unfold(folded) == "Y" * 300


def test_a_short_non_ascii_line_under_75_octets_is_not_folded() -> None:
    line = "SUMMARY:" + "é" * 33  # 41 characters, 74 octets
    assert len(line.encode()) == 74
    assert fold(line) == line + CRLF


def test_a_line_of_few_characters_but_over_75_octets_is_folded() -> None:
    line = "é" * 40  # 40 characters, 80 octets
    folded = fold(line)
    assert folded != line + CRLF
    assert all(len(p) <= 75 for p in physical_lines(folded))
    assert unfold(folded) == line


def test_a_two_octet_character_on_the_75_octet_boundary_moves_to_the_next_line() -> None:
    line = "X" * 74 + "é"  # é would take octets 75 and 76
    assert fold(line) == "X" * 74 + "\r\n é\r\n"


@pytest.mark.parametrize(
    "text",
    [
        "Дорожня карта",
        "Σύσκεψη συντονισμού",
        "🇪🇺 🇺🇦 🇬🇪 🇲🇩",
        "Réunion préparatoire é",
        "日本語のテキスト",
    ],
)
@pytest.mark.parametrize("padding", range(4))
def test_a_long_line_is_folded_without_splitting_a_utf8_character(text: str, padding: int) -> None:
    # The padding shifts every character across the fold points at each possible octet offset.
    line = "DESCRIPTION:" + "x" * padding + " / ".join([text] * 12)
    folded = fold(line)
    lines = physical_lines(folded)
    assert len(lines) > 1
    for octets in lines:
        assert len(octets) <= 75
        octets.decode("utf-8")  # raises if a character was cut in two
    assert unfold(folded) == line


@given(ONE_LINE_TEXT)
def test_any_folded_line_is_valid_utf8_line_by_line_short_enough_and_unfolds_to_itself(
    text: str,
) -> None:
    line = "DESCRIPTION:" + text
    folded = fold(line)
    assert folded.endswith(CRLF)
    lines = physical_lines(folded)
    for index, octets in enumerate(lines):
        assert len(octets) <= 75
        assert b"\r" not in octets
        assert b"\n" not in octets
        decoded = octets.decode("utf-8")
        if index:
            assert decoded.startswith(" ")
            assert len(decoded) > 1  # a continuation carries at least one character
    assert unfold(folded) == line


@given(ANY_TEXT)
def test_any_escaped_and_folded_text_reads_back_in_icalendar_as_the_original(text: str) -> None:
    line = prop("DESCRIPTION", escape_text(text))
    assert all(len(octets) <= 75 for octets in physical_lines(line))
    event = parsed_event(calendar_with(line))
    assert str(event["DESCRIPTION"]) == without_controls(text)


def test_a_property_with_parameters_is_written_name_params_colon_value() -> None:
    assert prop("SUMMARY", "Hello", ";LANGUAGE=en") == "SUMMARY;LANGUAGE=en:Hello\r\n"
    assert prop("SUMMARY", "Hello") == "SUMMARY:Hello\r\n"


def test_a_long_property_is_folded_as_a_whole_line() -> None:
    value = escape_text("Дорожня карта, " * 10)
    assert prop("SUMMARY", value) == fold("SUMMARY:" + value)
    assert prop("SUMMARY", value).count(CRLF) > 1


# --- stamps ------------------------------------------------------------------------------------


def test_a_utc_stamp_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        utc_stamp(datetime(2024, 6, 12, 9, 30))


def test_a_utc_stamp_is_converted_to_utc_and_ends_in_z() -> None:
    brussels = datetime(2024, 6, 12, 9, 30, tzinfo=ZoneInfo("Europe/Brussels"))
    assert utc_stamp(brussels) == "20240612T073000Z"
    assert utc_stamp(datetime(2024, 6, 12, 7, 30, tzinfo=UTC)) == "20240612T073000Z"


def test_a_utc_stamp_may_fall_on_the_previous_day_and_year() -> None:
    kyiv = datetime(2024, 1, 1, 1, 5, 9, tzinfo=ZoneInfo("Europe/Kyiv"))
    assert utc_stamp(kyiv) == "20231231T230509Z"
    new_york = datetime(2024, 12, 31, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    assert utc_stamp(new_york) == "20250101T010000Z"


def test_a_utc_stamp_drops_microseconds() -> None:
    assert utc_stamp(datetime(2024, 6, 12, 7, 30, 59, 999_999, tzinfo=UTC)) == "20240612T073059Z"


def test_a_utc_stamp_before_the_year_1000_is_zero_padded() -> None:
    assert utc_stamp(datetime(999, 3, 4, 5, 6, 7, tzinfo=UTC)) == "09990304T050607Z"
    plus_two = timezone(timedelta(hours=2))
    assert utc_stamp(datetime(42, 1, 1, 1, 0, tzinfo=plus_two)) == "00411231T230000Z"


def test_a_local_stamp_keeps_the_wall_time_and_has_no_z() -> None:
    assert local_stamp(datetime(2024, 6, 12, 9, 30)) == "20240612T093000"
    aware = datetime(2024, 6, 12, 9, 30, 5, tzinfo=ZoneInfo("Asia/Tbilisi"))
    assert local_stamp(aware) == "20240612T093005"
    assert local_stamp(datetime(7, 1, 2, 3, 4, 5)) == "00070102T030405"


def test_a_date_stamp_is_eight_zero_padded_digits() -> None:
    assert date_stamp(date(2024, 2, 29)) == "20240229"
    assert date_stamp(date(5, 1, 2)) == "00050102"


def test_a_date_stamp_of_a_datetime_gives_only_its_date() -> None:
    assert date_stamp(datetime(2024, 6, 12, 23, 59)) == "20240612"
