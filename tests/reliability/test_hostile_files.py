"""Hostile .ics files: imported, or refused with one clear line; never a traceback, never a hang,
memory bounded, and the calendar unchanged when the import is refused (issue 9).

Each file is imported by a second process (``hostile.GuardedImporter``) into a copy of a
calendar holding the sample data. The process is killed past the time limit of the file
(``hostile.TIME_LIMIT_S``, 20 s, plus 5 ms an event and 1 s a MB for big files): a hang fails
the test instead of stalling it. Its address space is limited to 3 GiB and its peak resident
memory, and that of the process parsing big files for it, is measured for every file and
must stay under ``hostile.memory_bound_kb`` (512 MiB, plus 1 KB an event for files of many
events: the report lists each one). After a refused import or a dry run every row of every
table must be as it was. ``fuzz_importer.py`` runs the same for hours.

The second half pins each fix the fuzzing led to, in the reader and the importer directly.
"""

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from liaison_calendar.domain.enums import LeadSide, Mode, ReleaseLevel
from liaison_calendar.ical import content, reader
from liaison_calendar.services.context import Services
from liaison_calendar.services.importer import CalendarImportError, ImportOptions
from tests.reliability import hostile
from tests.reliability.hostile import calendar, event

VOCABULARY = reader.Vocabulary(kinds={}, strands={})
CASES = hostile.named_cases(volume=100_000, accepted_volume=5_000, calendars=500)
MUTANTS = 100


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[hostile.GuardedImporter]:
    with hostile.GuardedImporter(tmp_path_factory.mktemp("guarded")) as importer:
        yield importer


def _options(n: int) -> dict[str, Any]:
    """Mostly the default (all or nothing), a quarter with --on-error skip, a quarter dry."""
    choices: list[dict[str, Any]] = [{}, {"on_error": "skip"}, {"dry_run": True}, {}]
    return choices[n % 4]


# --- the hostile files, mutations and generated calendars ----------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_file_is_imported_or_refused_with_one_clear_line_within_the_limits(
    guarded: hostile.GuardedImporter, tmp_path: Path, case: hostile.Named
) -> None:
    path = case.write(tmp_path / "hostile.ics")

    outcome = guarded.run(path, name=case.name, time_limit=case.time_limit, events=case.events)

    assert outcome.problems == []
    if case.expect is not None:
        assert (outcome.verdict, outcome.message) == (case.expect, outcome.message)
    assert case.says in outcome.message
    if outcome.verdict == "refused":
        assert outcome.unchanged is True
        assert str(path) in outcome.message
    if case.added is not None:
        assert outcome.added == case.added


def test_mutations_of_valid_calendars_are_imported_or_refused_with_one_clear_line(
    guarded: hostile.GuardedImporter, tmp_path: Path
) -> None:
    """Truncated, lines duplicated, removed or shuffled, wrong nesting, huge and extreme
    values, invalid UTF-8, NUL bytes, CR-only line ends, odd folds, deep nesting, repeated
    events: every mutator in turn on the calendars of tests/import_cases and the sample."""
    seeds = hostile.case_seeds() + [("demo", guarded.demo)]
    outcomes = []
    for n, mutant in enumerate(hostile.mutants(seeds, MUTANTS, seed=9)):
        path = tmp_path / "mutant.ics"
        path.write_bytes(mutant.data)
        outcomes.append(guarded.run(path, name=mutant.name, **_options(n)))

    assert [(o.name, o.problems) for o in outcomes if not o.ok] == []
    verdicts = Counter(o.verdict for o in outcomes)
    assert verdicts["accepted"] >= 10  # the corpus is not all garbage: both ways are walked
    assert verdicts["refused"] >= 10
    assert {o.name.split("+")[1].split("#")[0] for o in outcomes} == set(hostile.MUTATORS)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=hostile.calendars())
def test_generated_calendars_are_imported_or_refused_with_one_clear_line(
    guarded: hostile.GuardedImporter, data: bytes
) -> None:
    path = guarded.workdir / "generated.ics"
    path.write_bytes(data)

    outcome = guarded.run(path, name="generated", **_options(len(data)))

    assert outcome.problems == []


# --- the guard itself ----------------------------------------------------------------------------


def test_the_guard_kills_an_import_past_its_time_limit_and_starts_a_fresh_worker(
    guarded: hostile.GuardedImporter, tmp_path: Path
) -> None:
    slow = hostile.Named("slow", lambda: hostile.tiny_events(10_000)).write(tmp_path / "slow.ics")
    small = tmp_path / "small.ics"
    small.write_bytes(calendar(event(1)))
    started = guarded.started

    hang = guarded.run(slow, time_limit=0.3)
    after = guarded.run(small)

    assert hang.verdict == "hang"
    assert hang.problems == [f"hang: no answer within {0.3 + slow.stat().st_size / 2**20:.1f} s"]
    assert (after.verdict, after.added, guarded.started) == ("accepted", 1, started + 1)


def test_the_guard_tells_a_crash_and_a_death_from_a_refusal(
    guarded: hostile.GuardedImporter, tmp_path: Path
) -> None:
    small = tmp_path / "small.ics"
    small.write_bytes(calendar(event(1)))

    crash = guarded.run(small, on_error="crash")  # the worker raises RuntimeError instead
    died = guarded.run(small, on_error="exit")  # the worker ends itself

    assert (crash.verdict, crash.error) == ("failure", "RuntimeError")
    assert "Traceback" in crash.message
    assert crash.problems
    assert died.verdict == "died"
    assert died.problems == ["died: the worker died (exit status 3)"]
    assert guarded.run(small).verdict == "accepted"


@pytest.mark.parametrize(
    ("outcome", "says"),
    [
        (hostile.Outcome("x", "refused", message="two\nlines"), "several lines"),
        (hostile.Outcome("x", "refused", message="x" * 401), "401-character message"),
        (hostile.Outcome("x", "refused", message=""), "without a message"),
        (hostile.Outcome("x", "refused", message="ok", unchanged=False), "calendar changed"),
        (hostile.Outcome("x", "accepted", peak_kb=600 * 1024), "peak memory 600 MiB"),
        (hostile.Outcome("x", "accepted", worker_peak_kb=513 * 1024), "peak memory 513 MiB"),
        (hostile.Outcome("x", "failure", error="KeyError"), "failure: KeyError"),
    ],
    ids=["lines", "long", "empty", "changed", "memory", "parsing-memory", "failure"],
)
def test_the_guard_judges_unclear_messages_changes_and_memory_as_failures(
    outcome: hostile.Outcome, says: str
) -> None:
    judged = hostile.judge(outcome, "/a/path.ics")

    assert len(judged.problems) == 1
    assert says in judged.problems[0]


def test_the_guard_compares_the_calendar_by_its_rows_not_its_bytes(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    before = hostile._digest(db_path)
    bad = tmp_path / "bad.ics"
    bad.write_bytes(calendar(event(1), event(2, b"DTSTART:never")))
    with pytest.raises(CalendarImportError):
        services.importer.import_files([bad])
    refused = hostile._digest(db_path)
    good = tmp_path / "good.ics"
    good.write_bytes(calendar(event(1)))
    services.importer.import_files([good])

    assert refused == before
    assert hostile._digest(db_path) != before


# --- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["year-9999", "rrule-secondly-count-12-digits"], ids=["year-9999", "every-second"]
)
def test_the_command_line_refuses_a_hostile_file_with_exit_2_and_one_line(
    services: Services, db_path: Path, tmp_path: Path, name: str
) -> None:
    services.importer.import_files([hostile.CASES / "weekly_count_exdate.ics"])
    services.close()
    before = hostile._digest(db_path)
    [case] = [c for c in CASES if c.name == name]
    path = case.write(tmp_path / "hostile.ics")

    done = subprocess.run(
        [sys.executable, "-m", "liaison_calendar", "--db", str(db_path), "import", str(path)],
        capture_output=True,
        text=True,
        timeout=hostile.TIME_LIMIT_S + 40,  # a second Python starting, then the file's limit
        env={**os.environ, "PYTHONPATH": str(hostile.ROOT)},
    )

    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"liaison: Cannot import {path}, line 4, VEVENT")
    assert case.says in line
    assert hostile._digest(db_path) == before


# --- what the fuzzing found, fixed -------------------------------------------------------------


def _read(*lines: bytes, head: bytes = b"", without: tuple[bytes, ...] = ()) -> reader.ReadResult:
    data = calendar(head, event(1, *lines, without=without))
    return reader.read(data, default_tz="Europe/Brussels", vocabulary=VOCABULARY)


def _problem(*lines: bytes, without: tuple[bytes, ...] = ()) -> str:
    result = _read(*lines, without=without)
    assert result.events == []
    [problem] = result.problems
    return str(problem)


@pytest.mark.parametrize(
    "lines",
    [
        (b"DTSTART:99991231T230000Z", b"DTEND:99991231T235959Z"),  # 9999 becomes 10000 there
        (b"DTSTART;VALUE=DATE:99991231", b"DTEND;VALUE=DATE:99991231"),  # a day after it
        (b"DTSTART:00010101T000000Z", b"DTEND:00010101T010000Z"),  # stored as '1-01-01T...'
        (b"RRULE:FREQ=DAILY;COUNT=3", b"EXDATE:09990101T100000Z"),
        (b"RRULE:FREQ=DAILY;COUNT=3", b"RDATE;VALUE=DATE:09990101"),
    ],
    ids=["9999-in-brussels", "9999-all-day", "year-1", "exdate-999", "rdate-999"],
)
def test_a_date_out_of_range_is_a_problem_of_its_event_not_an_overflow(
    lines: tuple[bytes, ...],
) -> None:
    assert _problem(*lines) == (
        "line 4, VEVENT: has a date or time out of range (the calendar holds years 1001 to 9999)"
    )


def test_an_event_twice_with_a_control_character_in_its_uid_is_one_meeting(
    services: Services, tmp_path: Path
) -> None:
    """The draft drops the character; the importer matched the UID with it, found no such
    meeting, and saved the second copy too: UNIQUE constraint failed, a traceback."""
    path = tmp_path / "twice.ics"
    path.write_bytes(calendar(*[event(1, b"UID:dup\x07licate@example.eu")] * 3))

    report = services.importer.import_files([path])

    assert [i.outcome for i in report.items] == ["added", "unchanged", "unchanged"]
    assert {i.uid for i in report.items} == {"duplicate@example.eu"}
    assert services.meetings.get("duplicate@example.eu").title == "Hostile 1"


def test_a_series_name_with_odd_spaces_is_created_once_and_found_again(
    services: Services, tmp_path: Path
) -> None:
    """The series was saved with its spaces tidied and then looked up as written: a
    NotFoundError, naming neither file nor line, or, on a second import, "already exists"."""
    path = tmp_path / "series.ics"
    path.write_bytes(calendar(event(1, b"X-LIAISON-SERIES:  Staff\ttalks  2026 ")))

    first = services.importer.import_files([path])
    again = services.importer.import_files([path])

    assert [(i.outcome, i.repairs) for i in first.items] == [
        ("added", ["new series 'Staff talks 2026' created"])
    ]
    assert [i.outcome for i in again.items] == ["unchanged"]
    assert services.meetings.get("hostile-1@example.eu").series == "Staff talks 2026"


def test_a_file_of_stray_end_lines_keeps_a_hundred_problems_and_counts_the_rest() -> None:
    """Every stray END was a problem kept: 3 million of them took 900 MiB."""
    data = calendar(b"END:X\r\n" * 1000, event(1))

    problems = reader.read(data, default_tz="Europe/Brussels", vocabulary=VOCABULARY).problems

    assert len(problems) == 101
    assert [str(p) for p in problems[:2]] == [
        "line 4, X: END:X does not close VCALENDAR",
        "line 5, X: END:X does not close the file",
    ]
    assert str(problems[-1]) == "line 1011, VCALENDAR: and 902 more BEGIN or END lines out of place"


def test_timestamps_out_of_range_are_left_out_like_unreadable_ones() -> None:
    [found] = _read(
        b"CREATED:00010101T000000Z",
        b"DTSTAMP;TZID=Europe/Brussels:00010101T000000",
        b"LAST-MODIFIED;TZID=America/New_York:99991231T230000",
    ).events

    assert (found.created, found.stamp, found.last_modified) == (None, None, None)


def test_a_repeat_past_9999_is_refused_by_the_importer_naming_its_event(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "late.ics"
    path.write_bytes(
        calendar(
            event(
                1,
                b"DTSTART;VALUE=DATE:99991230",
                b"DTEND;VALUE=DATE:99991231",
                b"RRULE:FREQ=DAILY;COUNT=5",
            ),
            event(2),
        )
    )

    with pytest.raises(CalendarImportError) as caught:
        services.importer.import_files([path])
    skipped = services.importer.import_files([path], ImportOptions(on_error="skip"))

    assert caught.value.message == (
        f"Cannot import {path}, line 4, VEVENT 'Hostile 1': A date of this meeting or of its "
        "repeats is out of range (the calendar holds years 1001 to 9999). Nothing was imported."
    )
    assert [(i.line, i.outcome) for i in skipped.items] == [(4, "skipped"), (12, "added")]


def test_unknown_values_of_our_own_properties_are_read_as_the_defaults_and_reported() -> None:
    [found] = _read(
        b"X-LIAISON-MODE:nonsense",
        b"X-LIAISON-LEAD:" + b"l" * 1000,
        b"X-LIAISON-RELEASE:secret",
        b"X-LIAISON-ITERATION:\xc2\xb2",
    ).events

    draft = found.draft
    assert (draft.mode, draft.lead_side, draft.release_level) == (
        Mode.IN_PERSON,
        LeadSide.CO_CHAIRED,
        ReleaseLevel.STAFF,
    )
    assert draft.iteration is None
    assert found.repairs == [
        "X-LIAISON-ITERATION '²' is not a number: left out",
        "X-LIAISON-MODE 'nonsense' is not known: read as in-person",
        "X-LIAISON-LEAD 'llllllllllllllllllllllllllllllllllllllll'... (1,000 characters) is not "
        "known: read as co-chaired",
        "X-LIAISON-RELEASE 'secret' is not known: read as staff",
    ]


def test_numbers_python_cannot_convert_are_read_as_absent() -> None:
    """``'²'.isdigit()`` is true and ``int('²')`` a ValueError; so is ``int`` of 5,000
    digits."""
    [found] = _read(
        b"SEQUENCE:" + b"9" * 5000,
        b"X-LIAISON-DESCRIPTION-CHARS:\xc2\xb2",
        b"X-LIAISON-PROPOSALS:3,\xc2\xb2," + b"9" * 5000,
        b"X-LIAISON-AGENDA;X-DURATION=\xc2\xb2:First",
        b"X-LIAISON-AGENDA;X-DURATION=99999:Second",
        b"X-LIAISON-AGENDA;X-DURATION=45:Third",
        b"X-LIAISON-ACTION;X-DUE=2025-13-45:Do it",
        b"DESCRIPTION:kept whole",
    ).events

    assert found.sequence == 0
    assert found.draft.description == "kept whole"
    assert found.draft.proposals == [3]
    assert [(a.title, a.duration_min) for a in found.draft.agenda] == [
        ("First", 30),
        ("Second", 30),  # above a day: pydantic refused it, and the whole import with it
        ("Third", 45),
    ]
    assert [(a.text, a.due) for a in found.draft.actions] == [("Do it", None)]
    assert (content.number("²"), content.number("9" * 19), content.number(" -42 ")) == (
        None,
        None,
        -42,
    )


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (b"FREQ=DAILY;UNTIL=20271345", "UNTIL='20271345' is not a real date"),
        (b"FREQ=DAILY;UNTIL=20271301T100000", "UNTIL='20271301T100000' is not a real date"),
        (b"FREQ=SECONDLY;COUNT=999999999999", "more often than daily (FREQ=SECONDLY)"),
        (b"FREQ=MINUTELY", "more often than daily (FREQ=MINUTELY)"),
        (b"FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", "more often than daily (FREQ=HOURLY)"),
        (b"FREQ=DAILY;BYMINUTE=0,30", "more often than hourly (BYMINUTE='0,30')"),
        (b"FREQ=MONTHLY;BYDAY=+60MO", "BYDAY='+60MO': a month has at most 5 of each weekday"),
        (b"FREQ=YEARLY;BYMONTH=2;BYDAY=-6FR", "a month has at most 5 of each weekday"),
        (b"FREQ=YEARLY;BYDAY=54TU", "BYDAY='54TU': a year has at most 53 of each weekday"),
        (b"FREQ=YEARLY;BYEASTER=1000", "BYEASTER is not iCalendar"),
        (b"FREQ=DAILY;COUNT=" + b"9" * 1000, "it is 1,017 characters long"),
        (b"FREQ=DAILY;INTERVAL=0", "INTERVAL='0' is not a whole number above 0"),
        (b"FREQ=WEEKLY;INTERVAL=-1;COUNT=3", "INTERVAL='-1' is not a whole number above 0"),
    ],
    ids=[
        "until-month-13",
        "until-local-month-13",
        "secondly",
        "minutely",
        "hourly-no-date",
        "byminute-list",
        "60th-monday",
        "6th-friday-of-february",
        "54th-tuesday",
        "byeaster",
        "1017-characters",
        "interval-0",
        "interval-minus-1",
    ],
)
def test_a_rule_that_would_crash_hang_or_flood_the_calendar_is_a_problem_of_its_event(
    rule: bytes, says: str
) -> None:
    assert "line 4, VEVENT: RRULE " in _problem(b"RRULE:" + rule)
    assert says in _problem(b"RRULE:" + rule)


def test_rules_meetings_use_are_still_read() -> None:
    found = [
        _read(b"RRULE:" + rule).events[0].draft.rrule
        for rule in (
            b"FREQ=MONTHLY;BYDAY=-1FR",
            b"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            b"FREQ=YEARLY;BYDAY=20MO",
            b"FREQ=DAILY;BYHOUR=9,14;BYMINUTE=30",
            b"FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270101",
        )
    ]

    assert found == [
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "FREQ=YEARLY;BYDAY=20MO",
        "FREQ=DAILY;BYHOUR=9,14;BYMINUTE=30",
        "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270101T225959Z",
    ]


@pytest.mark.timeout(30)  # before the fix icalendar listed every second until 2038
@pytest.mark.parametrize(
    "rule",
    [
        b"FREQ=SECONDLY",
        b"FREQ=MINUTELY;UNTIL=99991231T000000Z",
        b"FREQ=DAILY;COUNT=10",
        b"freq=yearly;interval=0;bymonth=10;byday=-1su",  # dateutil: the same date for ever
        b"FREQ=YEARLY;BYDAY=+60SU;BYMONTH=10",  # dateutil: an IndexError, when it is used
    ],
    ids=["secondly", "minutely", "daily", "interval-0", "60th-sunday"],
)
def test_a_custom_zone_whose_rule_changes_more_than_yearly_is_read_in_the_default_zone(
    rule: bytes,
) -> None:
    zoned = (b"DTSTART;TZID=Custom Zone:20261111T100000", b"DTEND;TZID=Custom Zone:20261111T110000")

    [found] = _read(*zoned, head=hostile.CUSTOM_ZONE % rule).events

    assert found.draft.tz == "Europe/Brussels"
    assert found.repairs == ["unknown time zone 'Custom Zone' read as Europe/Brussels"]


def test_a_custom_zone_with_yearly_rules_is_still_matched() -> None:
    zoned = (b"DTSTART;TZID=Custom Zone:20261111T100000", b"DTEND;TZID=Custom Zone:20261111T110000")
    yearly = hostile.CUSTOM_ZONE % b"FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"

    [found] = _read(*zoned, head=yearly).events

    assert found.draft.tz == "Europe/Brussels"
    assert found.repairs == ["time zone 'Custom Zone' read as Europe/Brussels"]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (b"P99999999999999W", "'P99999999999999W' is too long a duration"),
        (b"P" + b"9" * 5000 + b"D", "(5,002 characters) is too long a duration"),
    ],
    ids=["overflow", "5000-digits"],
)
def test_a_duration_longer_than_a_date_can_hold_is_a_problem(value: bytes, says: str) -> None:
    assert says in _problem(b"DURATION:" + value, without=(b"DTEND",))


def test_a_title_of_control_characters_alone_is_no_title() -> None:
    [found] = _read(b"SUMMARY:\x01\x02\x7f").events

    assert found.draft.title == "(no title)"
    assert found.repairs == ["no SUMMARY: titled '(no title)'"]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b"SUMMARY:" + b"s" * 100_000, "VEVENT 'sssss"),
        (b"DTSTART:" + b"2" * 100_000, "(100,000 characters) is not a date"),
        (b"BEGIN:" + b"C" * 100_000, "does not close CCCCC"),
        (b"UID:" + b"u" * 100_000 + b"\\nmore", "UID must be one line"),
    ],
    ids=["title", "dtstart", "component-name", "uid"],
)
def test_an_error_quotes_a_few_dozen_characters_of_a_huge_value_on_one_line(
    services: Services, tmp_path: Path, line: bytes, says: str
) -> None:
    path = tmp_path / "huge.ics"
    path.write_bytes(calendar(event(1, line)))

    with pytest.raises(CalendarImportError) as caught:
        services.importer.import_files([path])
    report = services.importer.import_files([path], ImportOptions(on_error="skip"))

    message = caught.value.message
    assert says in message
    assert "\n" not in message
    assert len(message) - len(str(path)) < 300
    skipped = [i for i in report.items if i.outcome == "skipped"]
    assert skipped
    assert all(len(i.reason) <= 300 and len(i.title) <= 80 for i in skipped)


def test_a_repair_quotes_a_few_dozen_characters_of_a_huge_value(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "huge.ics"
    path.write_bytes(
        calendar(
            event(
                1,
                b"DTSTART;TZID=" + b"z" * 100_000 + b":20261111T100000",
                b"DTEND;TZID=" + b"z" * 100_000 + b":20261111T110000",
                b"CATEGORIES:" + b"c" * 100_000,
                b"X-LIAISON-SERIES:" + b"s" * 100_000,
            )
        )
    )

    report = services.importer.import_files([path])

    assert [len(repair) for _, repair in report.repairs] == [
        len("unknown time zone '" + "z" * 40 + "'... (100,000 characters) read as Europe/Brussels"),
        300,
        300,
    ]
    assert report.repairs[1][1].startswith("categories kept in the description: ccccc")
    assert report.repairs[2][1].startswith("new series 'sssss")


def _exercise_event(exercise: bytes, phase: bytes) -> bytes:
    return event(
        1,
        b"DTSTART;VALUE=DATE:20260105",
        b"DTEND;VALUE=DATE:20260106",
        b"X-LIAISON-EXERCISE:" + exercise,
        b"X-LIAISON-PHASE:" + phase,
    )


GOOD_PHASE = b'{"uid": "ph-1"\\, "name": "P"\\, "start": "2026-01-05"\\, "end": "2026-01-06"}'


@pytest.mark.parametrize(
    ("exercise", "phase", "says"),
    [
        (b'{"uid": "ex-1"}', GOOD_PHASE, "(KeyError: 'period_start')"),
        (
            b'{"uid": "ex-1"\\, "period_start": "2026-13-01"\\, "period_end": "x"}',
            GOOD_PHASE,
            "(ValueError: month must be in 1..12)",
        ),
        (
            b'{"uid": "ex-1"\\, "period_start": "2026-01-01"\\, "period_end": "2026-02-01"}',
            b'{"uid": "ph-1"\\, "position": "first"}',
            "(ValueError: invalid literal for int() with base 10: 'first')",
        ),
        (
            b'{"uid": "ex-1"\\, "period_start": "2026-01-01"\\, "period_end": "2026-02-01"\\, '
            b'"strands": ["no-such-strand"]}',
            GOOD_PHASE,
            "Unknown work strand 'no-such-strand'",
        ),
    ],
    ids=["no-period", "month-13", "position-not-a-number", "unknown-strand"],
)
def test_a_damaged_exercise_of_our_own_is_refused_naming_its_event_and_leaves_nothing(
    services: Services, tmp_path: Path, exercise: bytes, phase: bytes, says: str
) -> None:
    path = tmp_path / "exercise.ics"
    path.write_bytes(calendar(_exercise_event(exercise, phase), event(2)))

    with pytest.raises(CalendarImportError) as caught:
        services.importer.import_files([path])
    report = services.importer.import_files([path], ImportOptions(on_error="skip"))

    assert caught.value.message.startswith(f"Cannot import {path}, line 4, VEVENT 'Hostile 1': ")
    assert says in caught.value.message
    assert caught.value.message.endswith(" Nothing was imported.")
    assert sorted((i.line, i.outcome) for i in report.items) == [(4, "skipped"), (13, "added")]
    assert services.exercises.list() == []  # the unknown strand came after the exercise's row


def test_an_exercise_uid_that_is_not_text_is_ignored_like_a_missing_one(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "exercise.ics"
    path.write_bytes(calendar(_exercise_event(b'{"uid": ["a"\\, "list"]}', GOOD_PHASE)))

    report = services.importer.import_files([path])

    assert report.items == []  # a phase alone, of no exercise: as before, nothing to import
    assert services.exercises.list() == []


def test_a_value_error_the_reader_did_not_foresee_is_a_problem_on_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(ev: content.Component) -> list[object]:
        raise ValueError("first line\nsecond line")

    monkeypatch.setattr(reader, "_participants", broken)

    assert _problem() == "line 4, VEVENT: cannot be read (first line)"


def test_a_draft_pydantic_refuses_is_a_problem_naming_the_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from liaison_calendar.domain.models import AgendaItemDraft

    monkeypatch.setattr(
        reader, "_agenda", lambda ev: [AgendaItemDraft(title="x", duration_min=99_999)]
    )

    assert _problem() == (
        "line 4, VEVENT: cannot be read (duration_min: Input should be less than or equal to 1440)"
    )


def test_a_due_date_that_is_not_a_date_is_left_out() -> None:
    [found] = _read(
        b"X-LIAISON-ACTION;X-DUE=2026-02-30:One", b"X-LIAISON-ACTION;X-DUE=2026-02-27:Two"
    ).events

    assert [a.due for a in found.draft.actions] == [None, date(2026, 2, 27)]
