"""The ``liaison`` command: a front end over the services, like the desktop app.

Exit codes: 0 success; 2 a user error (bad argument, unknown id, invalid date or zone, newer or
busy database) with one line on stderr and nothing changed; 1 a bug (logged with its traceback).
PySide6 is imported only to start the desktop app.
"""

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError as PydanticValidationError

from liaison_calendar import __version__, logs, paths
from liaison_calendar.domain.agenda import ordinal
from liaison_calendar.domain.enums import LeadSide, Mode, Privacy, ReleaseLevel, Status
from liaison_calendar.domain.models import (
    Meeting,
    MeetingDetail,
    MeetingDraft,
    MeetingFilter,
    MeetingPatch,
    Moment,
    Occurrence,
)
from liaison_calendar.domain.timezones import day_start, zone
from liaison_calendar.errors import LiaisonError, ValidationError

log = logging.getLogger(__name__)
PROG = "liaison"


class UsageError(LiaisonError):
    """A command line that cannot be understood."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: the caller may be a script reading stderr.
        raise UsageError(f"{message} (see '{self.prog} --help')")


# --- argument types --------------------------------------------------------------------------


def parse_moment(text: str) -> Moment:
    """``2024-06-12`` (a date) or ``2024-06-12T09:30`` / ``2024-06-12 09:30[+02:00]``."""
    value = text.strip()
    try:
        if len(value) == 10 and "T" not in value and " " not in value:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError as exc:
        reason = str(exc)
        if "Invalid isoformat" in reason:
            reason = "write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        raise argparse.ArgumentTypeError(f"invalid date or time {text!r}: {reason}") from None


def parse_date(text: str) -> date:
    value = parse_moment(text)
    return value.date() if isinstance(value, datetime) else value


def parse_zone(text: str) -> str:
    try:
        zone(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    return text


def parse_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a meeting number")
    return int(text)


# --- the parser ------------------------------------------------------------------------------


def _filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", action="append", default=[], metavar="K", help="kind key (repeatable)")
    p.add_argument(
        "--strand", action="append", default=[], metavar="S", help="strand key (repeatable)"
    )
    p.add_argument(
        "--partner", action="append", default=[], metavar="P", help="partner (repeatable)"
    )
    p.add_argument("--series", action="append", default=[], metavar="S", help="series name")
    p.add_argument(
        "--status", action="append", default=[], choices=[s.value for s in Status], help="status"
    )


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"calendar file (default: ${paths.DB_ENV} or {paths.default_db_path()})",
    )
    parser = _Parser(
        prog=PROG,
        description="Liaison Calendar: the calendar of EU-NATO staff-to-staff cooperation. "
        "Without a command it starts the desktop app.",
    )
    parser.add_argument("--db", metavar="PATH", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "open",
        parents=[common],
        help="start the desktop app and import FILE.ics (also: liaison FILE.ics ...)",
        description="Start the desktop app and import the files, each through its preview. "
        "When the app already runs on the calendar, it comes to the front and imports them.",
    )
    p.add_argument("files", nargs="*", metavar="FILE.ics", type=Path)
    p.set_defaults(func=cmd_gui)

    p = sub.add_parser(
        "demo", parents=[common], help="fill the calendar with a sample 2023-2025 calendar"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("list", parents=[common], help="list meetings (recurrences expanded)")
    p.add_argument("--from", dest="date_from", type=parse_moment, metavar="DATE")
    p.add_argument("--to", dest="date_to", type=parse_moment, metavar="DATE", help="last day shown")
    _filter_options(p)
    p.add_argument("--search", metavar="TEXT", help="full-text search")
    p.add_argument("--json", action="store_true", help="one JSON object per occurrence")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one meeting with agenda and people")
    p.add_argument("meeting", metavar="ID_OR_UID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser(
        "add",
        parents=[common],
        help="add a meeting",
        description="Add a meeting. Give times (2024-06-12T09:30) for a timed meeting, or dates "
        "for an all-day one; then --end is its last day.",
    )
    p.add_argument("--title", required=True)
    p.add_argument("--kind", required=True, metavar="K")
    p.add_argument("--start", required=True, type=parse_moment, metavar="DT")
    p.add_argument("--end", required=True, type=parse_moment, metavar="DT")
    p.add_argument("--tz", type=parse_zone, metavar="ZONE", help="IANA zone (default: setting)")
    p.add_argument("--strand", action="append", default=[], metavar="S")
    p.add_argument("--partner", action="append", default=[], metavar="P")
    p.add_argument("--location", default="")
    p.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.IN_PERSON.value)
    p.add_argument("--lead", choices=[s.value for s in LeadSide], default=LeadSide.CO_CHAIRED.value)
    p.add_argument("--status", choices=[s.value for s in Status], default=Status.CONFIRMED.value)
    p.add_argument("--series", metavar="S")
    p.add_argument("--iteration", type=int)
    p.add_argument("--description", default="")
    p.add_argument("--marking", default="")
    p.add_argument(
        "--release", choices=[r.value for r in ReleaseLevel], default=ReleaseLevel.STAFF.value
    )
    p.add_argument("--rrule", metavar="RULE", help="repeat rule, e.g. FREQ=MONTHLY;COUNT=6")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("edit", parents=[common], help="change a meeting")
    p.add_argument("meeting", type=parse_id, metavar="ID")
    p.add_argument("--title")
    p.add_argument("--kind", metavar="K")
    p.add_argument("--start", type=parse_moment, metavar="DT")
    p.add_argument("--end", type=parse_moment, metavar="DT")
    p.add_argument("--tz", type=parse_zone, metavar="ZONE")
    p.add_argument("--location")
    p.add_argument("--status", choices=[s.value for s in Status])
    p.add_argument("--strand", action="append", metavar="S")
    p.add_argument("--partner", action="append", metavar="P")
    p.add_argument("--description")
    p.add_argument("--marking")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("cancel", parents=[common], help="mark a meeting cancelled (kept in feeds)")
    p.add_argument("meeting", type=parse_id, metavar="ID")
    p.set_defaults(func=cmd_cancel)

    p = sub.add_parser("delete", parents=[common], help="delete a meeting (gone from feeds)")
    p.add_argument("meeting", type=parse_id, metavar="ID")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser(
        "export",
        parents=[common],
        help="write the calendar, or part of it, as one .ics file",
        description="Write one iCalendar file (to stdout, or atomically to FILE). Without "
        "--from/--to every meeting is written, recurring ones as repeat rules.",
    )
    p.add_argument("-o", "--output", metavar="FILE", default="-", help="file to write, - = stdout")
    _feed_filter_options(p)
    p.add_argument("--from", dest="date_from", type=parse_moment, metavar="DATE")
    p.add_argument("--to", dest="date_to", type=parse_moment, metavar="DATE", help="last day")
    _privacy_options(p, Privacy.FULL)
    p.add_argument("--title", default="Liaison Calendar", help="calendar name shown by clients")
    p.set_defaults(func=cmd_export)

    feeds = sub.add_parser("feeds", help="saved feed definitions")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", parser_class=_Parser)
    feeds_sub.required = True
    p = feeds_sub.add_parser("list", parents=[common], help="list the saved feeds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_feeds_list)
    p = feeds_sub.add_parser("add", parents=[common], help="save a new feed")
    p.add_argument("name", metavar="NAME", help="file name without .ics: letters, digits, . - _")
    p.add_argument("--title", default="", help="calendar name shown by clients")
    _feed_filter_options(p)
    p.add_argument(
        "--status", action="append", default=[], choices=[s.value for s in Status], help="status"
    )
    _privacy_options(p, Privacy.NO_PARTICIPANTS)
    p.set_defaults(func=cmd_feeds_add)
    p = feeds_sub.add_parser("remove", parents=[common], help="delete a saved feed")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(func=cmd_feeds_remove)

    p = sub.add_parser(
        "settings",
        parents=[common],
        help="show or change a setting (default_tz, feed_refresh_minutes, import_limit_mb)",
    )
    p.add_argument("key", nargs="?", metavar="KEY")
    p.add_argument("value", nargs="?", metavar="VALUE")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser(
        "import",
        parents=[common],
        help="import .ics files (all or nothing; what is already here is updated, not doubled)",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--dry-run", action="store_true", help="report what would happen, change nothing"
    )
    p.add_argument("--strand", action="append", default=[], metavar="S", help="add this strand")
    p.add_argument("--kind", metavar="K", help="make every imported meeting this kind")
    p.add_argument("--series", metavar="S", help="put imported meetings in this series")
    p.add_argument(
        "--on-error",
        choices=["abort", "skip"],
        default="abort",
        help="abort (default: nothing imported) or skip events that cannot be read",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "publish",
        parents=[common],
        help="write every feed as DIR/NAME.ics (atomically; unchanged files are kept)",
    )
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--feed", action="append", metavar="NAME", help="only this feed (repeatable)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser(
        "agenda",
        parents=[common],
        help="print a meeting's agenda to PDF or HTML",
        description="Write the agenda of one meeting (atomically) as FILE.pdf or FILE.html.",
    )
    p.add_argument("meeting", metavar="ID_OR_UID")
    _print_options(p, (".pdf", ".html"))
    p.set_defaults(func=cmd_agenda)

    p = sub.add_parser(
        "report",
        parents=[common],
        help="write a period report per work strand (PDF, HTML or Markdown)",
        description="What happened in each work strand from --from to --to (both included).",
    )
    p.add_argument("--from", dest="date_from", type=parse_date, required=True, metavar="DATE")
    p.add_argument("--to", dest="date_to", type=parse_date, required=True, metavar="DATE")
    p.add_argument(
        "--strand", action="append", default=[], metavar="S", help="strand key (repeatable)"
    )
    p.add_argument(
        "--partner", action="append", default=[], metavar="P", help="partner (repeatable)"
    )
    p.add_argument("--series", action="append", default=[], metavar="S", help="series name")
    _print_options(p, (".pdf", ".html", ".md"))
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "print-calendar",
        parents=[common],
        help="print a month or a week of the calendar to PDF or HTML",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", type=parse_month, metavar="YYYY-MM")
    which.add_argument("--week", type=parse_date, metavar="DATE", help="a day of the week")
    _filter_options(p)
    _print_options(p, (".pdf", ".html"))
    p.set_defaults(func=cmd_print_calendar)

    p = sub.add_parser(
        "backup",
        parents=[common],
        help="write a consistent copy of the calendar to FILE (safe while the app runs)",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore",
        parents=[common],
        help="replace the calendar with a backup (the current one is backed up first)",
        description="Replace the calendar with the backup FILE. A file that is not a Liaison "
        "Calendar database, or that a newer version wrote, is refused. The calendar it "
        "replaces is copied beside it first.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)

    _sync_parsers(sub, common)
    return parser


def _sync_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    password = "The password comes from $LIAISON_SYNC_PASSWORD, else it is asked for."
    sync = sub.add_parser(
        "sync",
        help="share the calendar with CalDAV servers (accounts, run, status, conflicts)",
        description="Two-way sync with CalDAV servers. Nothing is overwritten silently: a "
        "meeting changed here and on the server is a conflict that you resolve.",
    )
    sync_sub = sync.add_subparsers(dest="sync_command", metavar="ACTION", parser_class=_Parser)
    sync_sub.required = True

    p = sync_sub.add_parser(
        "add-account",
        parents=[common],
        help="add a CalDAV account (checks the server, user and calendar)",
        description="Add a CalDAV account. The server, user name, password and calendar are "
        "checked first; nothing is kept when any of it fails. Without --calendar the user's "
        "only calendar is used, or one is created when there is none. " + password + " It "
        "goes to the system keyring when there is one.",
    )
    p.add_argument("name", metavar="NAME", help="a name for the account: letters, digits, . - _")
    p.add_argument("--url", required=True, metavar="URL", help="server address, e.g. https://host/")
    p.add_argument("--user", required=True, metavar="USER", help="user name on the server")
    p.add_argument(
        "--calendar", metavar="PATH", help="the remote calendar (path, URL or name) to sync with"
    )
    p.add_argument(
        "--ca-file", default="", metavar="FILE", help="CA certificate(s) to trust for this server"
    )
    p.set_defaults(func=cmd_sync_add_account)

    p = sync_sub.add_parser(
        "remove-account",
        parents=[common],
        help="forget a sync account (nothing is deleted here or on the server)",
    )
    p.add_argument("name", metavar="NAME", help="the account (see 'liaison sync status')")
    p.set_defaults(func=cmd_sync_remove_account)

    p = sync_sub.add_parser(
        "password",
        parents=[common],
        help="change the password kept for an account",
        description="Keep a new password for the account in the system keyring. "
        + password
        + " Without a keyring nothing can be kept: set $LIAISON_SYNC_PASSWORD, or type the "
        "password when 'liaison sync run' asks for it.",
    )
    p.add_argument("name", metavar="NAME", help="the account")
    p.set_defaults(func=cmd_sync_password)

    p = sync_sub.add_parser(
        "route",
        parents=[common],
        help="send the meetings of some strands or kinds to another calendar of the account",
        description="Send the meetings of the strands or kinds given to CALENDAR (a path or URL "
        "on the account's server); the account's main calendar takes everything else. Without "
        "--strand or --kind, CALENDAR stops taking any meeting.",
    )
    p.add_argument("name", metavar="NAME", help="the account")
    p.add_argument("calendar", metavar="CALENDAR", help="e.g. /user/cyber/ on the same server")
    p.add_argument(
        "--strand", action="append", default=[], metavar="S", help="strand key (repeatable)"
    )
    p.add_argument("--kind", action="append", default=[], metavar="K", help="kind key (repeatable)")
    p.set_defaults(func=cmd_sync_route)

    p = sync_sub.add_parser(
        "run",
        parents=[common],
        help="sync now: send the changes made here, receive those made on the server",
        description="Sync every account, or the one named: one line per account. Exit code 2 "
        "when an account failed (what it had done before is kept; the next run goes on). A "
        "remote calendar that came back empty deletes nothing here: on a terminal you are "
        "asked, otherwise give --accept-empty. A password the keyring does not have is asked "
        "for on a terminal, else read from $LIAISON_SYNC_PASSWORD.",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="only this account")
    p.add_argument(
        "--accept-empty",
        action="store_true",
        help="when a remote calendar came back empty, delete its meetings here too",
    )
    p.set_defaults(func=cmd_sync_run)

    p = sync_sub.add_parser(
        "status",
        parents=[common],
        help="each account's state, last sync, and the changes waiting to be sent",
        description="Per account: its state (synced, waiting, conflicts, offline, error or "
        "never), the changes waiting to be sent, the conflicts and the last sync; then every "
        "waiting change (new, changed or deleted here).",
    )
    p.set_defaults(func=cmd_sync_status)

    p = sync_sub.add_parser(
        "conflicts",
        parents=[common],
        help="list the meetings changed both here and on the server",
        description="Each conflict: its ID, account, title and time, and the fields that "
        "differ, yours (mine) and the server's (theirs), or which side deleted it.",
    )
    p.set_defaults(func=cmd_sync_conflicts)

    p = sync_sub.add_parser(
        "resolve",
        parents=[common],
        help="resolve a conflict: keep mine, theirs, or merge field by field",
        description="Resolve conflict ID (see 'liaison sync conflicts'). 'mine' keeps the "
        "version here, 'theirs' the server's; 'merge' takes the fields named by --theirs from "
        "the server's and the rest from yours. Only this calendar changes; the next "
        "'liaison sync run' sends the result.",
    )
    p.add_argument("conflict", type=parse_conflict_id, metavar="ID", help="the conflict's ID")
    p.add_argument(
        "--keep",
        required=True,
        choices=["mine", "theirs", "merge"],
        help="the version to keep: mine, theirs, or a merge of both",
    )
    p.add_argument(
        "--theirs",
        action="append",
        default=[],
        metavar="FIELD,...",
        help="with --keep merge: the fields to take from the server, named as 'liaison sync "
        "conflicts' shows them (e.g. location,start)",
    )
    p.set_defaults(func=cmd_sync_resolve)


def parse_conflict_id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a conflict number")
    return int(text)


def parse_month(text: str) -> date:
    year, _, month = text.strip().partition("-")
    try:
        if not (year.isdigit() and month.isdigit() and len(year) == 4):
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid month {text!r}: write it as YYYY-MM") from None


def _print_options(p: argparse.ArgumentParser, suffixes: tuple[str, ...]) -> None:
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        required=True,
        help=f"file to write ({', '.join(suffixes)}); written atomically",
    )
    p.add_argument(
        "--level",
        choices=[r.value for r in ReleaseLevel],
        default=ReleaseLevel.RESTRICTED.value,
        help="print level: meetings released less widely are left out (default restricted)",
    )
    p.add_argument("--paper", choices=["A4", "Letter"], default="A4", help="paper size (PDF)")
    p.set_defaults(suffixes=suffixes)


def _feed_filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", action="append", default=[], metavar="K", help="kind key (repeatable)")
    p.add_argument(
        "--strand", action="append", default=[], metavar="S", help="strand key (repeatable)"
    )
    p.add_argument(
        "--partner", action="append", default=[], metavar="P", help="partner (repeatable)"
    )
    p.add_argument("--series", action="append", default=[], metavar="S", help="series name")


def _privacy_options(p: argparse.ArgumentParser, default: Privacy) -> None:
    p.add_argument(
        "--privacy",
        choices=[v.value for v in Privacy],
        default=default.value,
        help=f"full, no-participants (no people) or busy (times only); default {default.value}",
    )
    p.add_argument(
        "--release",
        choices=[r.value for r in ReleaseLevel],
        default=ReleaseLevel.STAFF.value,
        help="leave out meetings released less widely than this (default staff)",
    )


# --- output helpers --------------------------------------------------------------------------


def iso(value: Moment) -> str:
    return value.isoformat()


def occurrence_json(occ: Occurrence) -> dict[str, Any]:
    m = occ.meeting
    return {
        "id": m.id,
        "uid": m.uid,
        "title": m.title,
        "kind": m.kind,
        "strands": list(m.strands),
        "partners": list(m.partners),
        "start": iso(occ.start),
        "end": iso(occ.end),
        "tz": m.tz,
        "all_day": m.all_day,
        "status": m.status.value,
        "location": m.location,
        "mode": m.mode.value,
        "series": m.series,
        "iteration": m.iteration,
        "recurrence_id": iso(occ.recurrence_id) if occ.recurrence_id is not None else None,
        "sequence": m.sequence,
        "marking": m.marking,
    }


def meeting_json(m: Meeting) -> dict[str, Any]:
    data = m.model_dump(mode="json")
    data["start"], data["end"] = iso(m.start), iso(m.end)
    return data


def when_text(start: Moment, end: Moment) -> str:
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        last = end - timedelta(days=1)
        if last == start:
            return f"{start:%Y-%m-%d %a} (all day)"
        return f"{start:%Y-%m-%d %a} – {last:%Y-%m-%d %a} (all day)"
    span = f"{start:%Y-%m-%d %a %H:%M}–{end:%H:%M}"
    if end.date() != start.date():
        span = f"{start:%Y-%m-%d %a %H:%M} – {end:%Y-%m-%d %H:%M}"
    return f"{span} {start.tzname()}"


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    widths[-2] = min(widths[-2], 60)
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    for r in rows:
        cells = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(r, widths, strict=True)]
        out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(out)


# --- commands --------------------------------------------------------------------------------


def _services(args: argparse.Namespace) -> Any:
    from liaison_calendar.services.context import Services

    return Services.open(paths.resolve_db_path(getattr(args, "db", None)))


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Any]:
    """The services on the calendar the command names, closed however the command ends."""
    svc = _services(args)
    try:
        yield svc
    finally:
        svc.close()


def cmd_demo(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        from liaison_calendar.services.demo import seed_demo

        result = seed_demo(svc)
    if result.added:
        print(f"Added {result.added} meetings of the sample calendar to {svc.path}.")
    else:
        print(f"The sample calendar is already in {svc.path}; nothing added.")
    return 0


def _window(args: argparse.Namespace, tz: str) -> tuple[datetime | None, datetime | None]:
    lo = hi = None
    if args.date_from is not None:
        lo = (
            args.date_from
            if isinstance(args.date_from, datetime)
            else day_start(args.date_from, tz)
        )
        if lo.tzinfo is None:
            lo = lo.replace(tzinfo=zone(tz))
    if args.date_to is not None:
        if isinstance(args.date_to, datetime):
            hi = args.date_to if args.date_to.tzinfo else args.date_to.replace(tzinfo=zone(tz))
        else:
            hi = day_start(args.date_to + timedelta(days=1), tz)
    if lo is not None and hi is not None and hi <= lo:
        raise ValidationError("--to is before --from.")
    return lo, hi


def cmd_list(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        tz = svc.catalog.setting("default_tz")
        lo, hi = _window(args, tz)
        flt = MeetingFilter(
            kinds=args.kind,
            strands=args.strand,
            partners=args.partner,
            series=args.series,
            statuses=args.status,
            search=args.search,
        )
        svc.catalog.check_filter(flt)
        found = svc.queries.occurrences(lo, hi, flt)
    if args.json:
        json.dump([occurrence_json(o) for o in found], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    rows = [
        (
            str(o.meeting.id),
            when_text(o.start, o.end),
            o.meeting.title,
            o.meeting.kind,
            o.meeting.status.value,
        )
        for o in found
    ]
    print(_table(rows, ("ID", "When", "Title", "Kind", "Status")))
    print(f"{len(found)} occurrence{'s' if len(found) != 1 else ''}")
    return 0


def print_detail(m: MeetingDetail) -> None:
    print(f"#{m.id}  {m.title}")
    print(f"  When      {when_text(m.start, m.end)} ({m.tz})")
    if m.rrule:
        print(f"  Repeats   {m.rrule}")
    if m.series:
        it = f", {ordinal(m.iteration)} iteration" if m.iteration else ""
        print(f"  Series    {m.series}{it}")
    print(f"  Kind      {m.kind}")
    print(f"  Strands   {', '.join(m.strands) or '—'}")
    if m.partners:
        print(f"  Partners  {', '.join(m.partners)}")
    print(f"  Where     {m.location or '—'} ({m.mode.value}); lead: {m.lead_side.value}")
    print(f"  Status    {m.status.value} (sequence {m.sequence})")
    if m.marking:
        print(f"  Marking   {m.marking}")
    print(f"  UID       {m.uid}")
    if m.description:
        print(f"\n  {m.description}")
    if m.participants:
        print("\nParticipants")
        for p in m.participants:
            org = f" ({p.organisation})" if p.organisation else ""
            role = f", {p.role}" if p.role else ""
            print(f"  - {p.name}{org}{role}")
    if m.agenda:
        print("\nAgenda")
        for a in m.agenda:
            clock = f"{a.starts:%H:%M}–{a.ends:%H:%M}" if a.starts and a.ends else "     "
            lead = f" — {a.lead}" if a.lead else ""
            print(f"  {clock}  {a.title}{lead} ({a.duration_min} min)")
        if m.overrun:
            minutes = int(m.overrun.total_seconds() // 60)
            print(f"  Warning: the agenda runs {minutes} min past the end.")
    if m.actions:
        print("\nAction items")
        for act in m.actions:
            due = f", due {act.due.isoformat()}" if act.due else ""
            owner = f" ({act.owner})" if act.owner else ""
            print(f"  [{act.status.value}] {act.text}{owner}{due}")


def cmd_show(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        meeting = svc.meetings.get(args.meeting)
    if args.json:
        data = meeting_json(meeting)
        data["overrun_min"] = (
            int(meeting.overrun.total_seconds() // 60) if meeting.overrun else None
        )
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_detail(meeting)
    return 0


def _all_day_end(start: Moment, end: Moment) -> Moment:
    """On the command line the end of an all-day meeting is its last day (inclusive)."""
    if not isinstance(start, datetime) and not isinstance(end, datetime):
        return end + timedelta(days=1)
    return end


def cmd_add(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        draft = MeetingDraft(
            title=args.title,
            kind=args.kind,
            start=args.start,
            end=_all_day_end(args.start, args.end),
            tz=args.tz or svc.catalog.setting("default_tz"),
            strands=args.strand,
            partners=args.partner,
            location=args.location,
            mode=Mode(args.mode),
            lead_side=LeadSide(args.lead),
            status=Status(args.status),
            series=args.series,
            iteration=args.iteration,
            description=args.description,
            marking=args.marking,
            release_level=ReleaseLevel(args.release),
            rrule=args.rrule,
        )
        meeting = svc.meetings.create(draft)
    if args.json:
        json.dump(meeting_json(meeting), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(
            f"Added meeting #{meeting.id}: {meeting.title}, {when_text(meeting.start, meeting.end)}"
        )
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {}
    for name in ("title", "kind", "tz", "location", "description", "marking"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    if args.status is not None:
        fields["status"] = Status(args.status)
    if args.strand is not None:
        fields["strands"] = args.strand
    if args.partner is not None:
        fields["partners"] = args.partner
    if args.start is not None:
        fields["start"] = args.start
    if args.end is not None:
        fields["end"] = args.end
    if not fields:
        raise UsageError("nothing to change: give at least one option (see 'liaison edit --help')")
    with _opened(args) as svc:
        if "end" in fields:
            current = svc.meetings.get(args.meeting)
            fields["end"] = _all_day_end(fields.get("start", current.start), fields["end"])
        meeting = svc.meetings.edit(args.meeting, MeetingPatch(**fields))
    if args.json:
        json.dump(meeting_json(meeting), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        when = when_text(meeting.start, meeting.end)
        print(f"Changed meeting #{meeting.id}: {meeting.title}, {when}")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        meeting = svc.meetings.cancel(args.meeting)
    print(f"Cancelled meeting #{meeting.id}: {meeting.title}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        meeting = svc.meetings.delete(args.meeting)
    print(f"Deleted meeting #{meeting.id}: {meeting.title}")
    return 0


def _feed_filter(args: argparse.Namespace) -> MeetingFilter:
    return MeetingFilter(
        kinds=args.kind,
        strands=args.strand,
        partners=args.partner,
        series=args.series,
        statuses=getattr(args, "status", []),
    )


def cmd_export(args: argparse.Namespace) -> int:
    from liaison_calendar.services.feeds import ExportScope

    with _opened(args) as svc:
        tz = svc.catalog.setting("default_tz")
        lo, hi = _window(args, tz)
        if (lo is None) != (hi is None):
            lo = lo or day_start(date(1900, 1, 1), tz)
            hi = hi or day_start(date(2200, 1, 1), tz)
        scope = ExportScope(
            filter=_feed_filter(args),
            privacy=Privacy(args.privacy),
            release_level=ReleaseLevel(args.release),
            window=(lo, hi) if lo is not None and hi is not None else None,
            title=args.title,
        )
        if args.output == "-":
            result = svc.feeds.export_to(sys.stdout.buffer, scope)
            sys.stdout.buffer.flush()
            return 0
        target = Path(args.output).expanduser()
        if target.is_dir():
            raise ValidationError(f"{target} is a folder; give a file name such as calendar.ics.")
        result = svc.feeds.export_file(target.absolute(), scope)
    plural = "s" if result.events != 1 else ""
    print(f"Wrote {result.events} event{plural} to {target}.", file=sys.stderr)
    return 0


def feed_json(feed: Any) -> dict[str, Any]:
    data: dict[str, Any] = feed.model_dump(mode="json")
    data["file"] = f"{feed.name}.ics"
    return data


def _filter_text(flt: MeetingFilter) -> str:
    parts = [
        *(f"kind={k}" for k in flt.kinds),
        *(f"strand={s}" for s in flt.strands),
        *(f"partner={p}" for p in flt.partners),
        *(f"series={s}" for s in flt.series),
        *(f"status={s}" for s in flt.statuses),
    ]
    return " ".join(parts) or "everything"


def cmd_feeds_list(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        feeds = svc.feeds.list()
    if args.json:
        json.dump([feed_json(f) for f in feeds], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    rows = [
        (f.name, _filter_text(f.filter), f.privacy.value, f.release_level.value, f.title)
        for f in feeds
    ]
    print(_table(rows, ("Name", "Shows", "Privacy", "Release", "Title")))
    return 0


def cmd_feeds_add(args: argparse.Namespace) -> int:
    from liaison_calendar.domain.models import FeedDraft

    with _opened(args) as svc:
        feed = svc.feeds.add(
            FeedDraft(
                name=args.name,
                title=args.title,
                filter=_feed_filter(args),
                privacy=Privacy(args.privacy),
                release_level=ReleaseLevel(args.release),
            )
        )
    print(f"Added feed {feed.name}: {_filter_text(feed.filter)}, privacy {feed.privacy.value}.")
    return 0


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        feed = svc.feeds.remove(args.name)
    print(f"Removed feed {feed.name}. A published {feed.name}.ics is no longer updated.")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from liaison_calendar.services.catalog import SETTING_DEFAULTS

    with _opened(args) as svc:
        if args.key is not None and args.value is not None:
            numeric = isinstance(SETTING_DEFAULTS.get(args.key), int)
            value: Any = (
                int(args.value) if numeric and args.value.lstrip("-").isdigit() else args.value
            )
            svc.catalog.set_setting(args.key, value)
        keys = [args.key] if args.key is not None else sorted(SETTING_DEFAULTS)
        values = {key: svc.catalog.setting(key) for key in keys}
    for key, value in values.items():
        print(f"{key} = {value}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from liaison_calendar.services.importer import ImportOptions

    options = ImportOptions(
        dry_run=args.dry_run,
        strands=tuple(args.strand),
        kind=args.kind,
        series=args.series,
        on_error=args.on_error,
    )
    with _opened(args) as svc:
        if args.strand or args.kind:
            svc.catalog.check_filter(
                MeetingFilter(strands=args.strand, kinds=[args.kind] if args.kind else [])
            )
        report = svc.importer.import_files([Path(f).expanduser() for f in args.files], options)
    if args.json:
        data = {
            "dry_run": report.dry_run,
            **{k: report.count(k) for k in ("added", "updated", "unchanged", "skipped")},
            "items": [vars(i) for i in report.items],
        }
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    for item in report.items:
        if item.outcome == "skipped":
            what = item.title or item.uid
            print(f"skipped    {item.file}, line {item.line}: {what} — {item.reason}")
    for item, repair in report.repairs:
        print(f"repaired   {item.file}, line {item.line}, {item.title!r}: {repair}")
    counts = ", ".join(
        f"{report.count(k)} {k}" for k in ("added", "updated", "unchanged", "skipped")
    )
    prefix = "Dry run, nothing changed: would have " if report.dry_run else "Imported: "
    print(f"{prefix}{counts}.")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    directory = Path(args.directory).expanduser()
    with _opened(args) as svc:
        report = svc.feeds.publish(directory.absolute(), args.feed)
    changed = [r for r in report if r.change in ("created", "updated")]
    failed = [r for r in report if r.change == "failed"]
    for r in changed:
        print(f"{r.change:9}  {r.path}  ({r.events} event{'s' if r.events != 1 else ''})")
    print(
        f"{len(changed)} of {len(report)} feed{'s' if len(report) != 1 else ''} changed "
        f"in {directory}."
    )
    for r in failed:
        print(f"{PROG}: feed {r.name} was not published: {r.error}", file=sys.stderr)
    return 2 if failed else 0


# --- printing --------------------------------------------------------------------------------


def _output(args: argparse.Namespace) -> Path:
    target = Path(args.output).expanduser().absolute()
    if target.suffix.lower() not in args.suffixes:
        raise ValidationError(
            f"Cannot tell the format of {target.name}: give a file ending in "
            f"{' or '.join(args.suffixes)}."
        )
    return target


def _write_document(document: Any, target: Path, paper: str) -> str:
    """Write ``document`` (a reports Document) as PDF or HTML; the line to print."""
    if target.suffix.lower() == ".pdf":
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed for a PDF
        from liaison_calendar.ui import printing

        pages = printing.write_pdf(document, target, paper)
        what = f"{pages} page{'s' if pages != 1 else ''}"
    else:
        from liaison_calendar.files import write_atomically

        write_atomically(target, [document.html().encode("utf-8")])
        what = "HTML"
    left = ""
    if document.left_out:
        left = f"; {document.left_out} left out at this print level"
    return f"Wrote {target} ({what}{left})."


def cmd_agenda(args: argparse.Namespace) -> int:
    target = _output(args)
    with _opened(args) as svc:
        document = svc.reports.agenda(args.meeting, ReleaseLevel(args.level))
        print(_write_document(document, target, args.paper), file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    target = _output(args)
    flt = MeetingFilter(strands=args.strand, partners=args.partner, series=args.series)
    with _opened(args) as svc:
        data = svc.reports.period(args.date_from, args.date_to, flt, ReleaseLevel(args.level))
        if target.suffix.lower() == ".md":
            svc.reports.write_markdown(data, target)
            left = f"; {data.header.left_out} left out" if data.header.left_out else ""
            print(f"Wrote {target} (Markdown{left}).", file=sys.stderr)
            return 0
        from liaison_calendar.reports.period import period_report

        print(_write_document(period_report(data), target, args.paper), file=sys.stderr)
    return 0


def cmd_print_calendar(args: argparse.Namespace) -> int:
    target = _output(args)
    flt = MeetingFilter(
        kinds=args.kind,
        strands=args.strand,
        partners=args.partner,
        series=args.series,
        statuses=args.status,
    )
    kind, anchor = ("month", args.month) if args.month else ("week", args.week)
    with _opened(args) as svc:
        document = svc.reports.calendar(kind, anchor, flt, ReleaseLevel(args.level))
        print(_write_document(document, target, args.paper), file=sys.stderr)
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        written = svc.backups.back_up(Path(args.file))
    print(f"Backed up the calendar to {written}.", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from liaison_calendar.ui.single_instance import is_running

    db = paths.resolve_db_path(getattr(args, "db", None))
    if is_running(db):  # its undo steps and selection would point into another calendar
        raise LiaisonError(
            f"Liaison Calendar is open on {db}: close its window, then restore; nothing was "
            "changed."
        )
    with _opened(args) as svc:
        done = svc.backups.restore(Path(args.file))
    upgraded = f", upgraded from schema {done.upgraded_from}" if done.upgraded_from else ""
    print(
        f"Restored {done.source}{upgraded}. The calendar it replaced is in {done.safety_copy}.",
        file=sys.stderr,
    )
    return 0


# --- sync ------------------------------------------------------------------------------------


def _interactive() -> bool:
    """True when a person can answer: stdin is a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):
        return False


def _sync_password(prompt: str) -> str:
    """The password from $LIAISON_SYNC_PASSWORD, else typed at the terminal (never echoed)."""
    from liaison_calendar.sync.secrets import ENVIRONMENT

    given = os.environ.get(ENVIRONMENT)
    if given:
        return given
    if not _interactive():
        raise LiaisonError(
            f"No password: set {ENVIRONMENT}, or run the command in a terminal to type it; "
            "nothing was changed."
        )
    import getpass

    try:
        typed = getpass.getpass(prompt)
    except EOFError:
        typed = ""
    if not typed:
        raise LiaisonError("No password given; nothing was changed.")
    return typed


def _local_time(svc: Any, value: datetime | None) -> str:
    if value is None:
        return "never"
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(svc.catalog.setting("default_tz"))).strftime("%Y-%m-%d %H:%M %Z")


def _calendar_text(cal: Any) -> str:
    name = f' ("{cal.name}")' if cal.name else ""
    if cal.default:
        return f"{cal.url}{name}, everything else"
    shown = [*(f"strand={s}" for s in cal.strands), *(f"kind={k}" for k in cal.kinds)]
    return f"{cal.url}{name}, {' '.join(shown) or 'nothing'}"


def cmd_sync_add_account(args: argparse.Namespace) -> int:
    from liaison_calendar.services.sync import ACCOUNT_NAME
    from liaison_calendar.sync.secrets import ENVIRONMENT

    with _opened(args) as svc:
        # Said before the password is asked for, not after.
        if not ACCOUNT_NAME.match(args.name):
            raise ValidationError(
                f"{args.name!r} cannot be an account name: use letters, digits, '.', '-' or '_'."
            )
        if any(a.name == args.name for a in svc.sync.accounts()):
            raise ValidationError(f"There is already a sync account {args.name!r}.")
        password = _sync_password(f"Password of {args.user} at {args.url}: ")
        added = svc.sync.add_account(
            args.name,
            args.url,
            args.user,
            password,
            calendar=args.calendar,
            ca_file=args.ca_file,
        )
        waiting = len(svc.sync.waiting(args.name))
    account = added.account
    cal = account.calendars[0]
    print(f"Added sync account {account.name}: {account.user} at {account.url}.")
    made = "created on the server for it" if added.created_calendar else "on the server"
    print(f"Calendar: {cal.url}{f' ({cal.name})' if cal.name else ''}, {made}.")
    if added.in_keyring:
        print("The password is kept in the system keyring.")
    else:
        print(
            "There is no keyring on this machine, so the password was not kept: give it in "
            f"{ENVIRONMENT}, or type it when 'liaison sync run' asks, each time."
        )
    plural = "s" if waiting != 1 else ""
    print(f"{waiting} meeting{plural} to send: run 'liaison sync run {account.name}'.")
    return 0


def cmd_sync_remove_account(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        account = svc.sync.remove_account(args.name)
    print(
        f"Removed sync account {account.name} and its password. Nothing was deleted, here or "
        "on the server."
    )
    return 0


def cmd_sync_password(args: argparse.Namespace) -> int:
    from liaison_calendar.sync.secrets import ENVIRONMENT

    with _opened(args) as svc:
        account = svc.sync.account(args.name)
        password = _sync_password(f"New password of {account.user} at {account.url}: ")
        kept = svc.sync.set_password(args.name, password)
    if not kept:
        raise LiaisonError(
            "There is no keyring on this machine, so the password cannot be kept: give it in "
            f"{ENVIRONMENT}, or type it when 'liaison sync run' asks, each time."
        )
    print(f"The new password of {account.name} is kept in the system keyring.")
    return 0


def cmd_sync_route(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        account = svc.sync.route(args.name, args.calendar, args.strand, args.kind)
    print(f"Calendars of {account.name}:")
    for cal in account.calendars:
        print(f"  {_calendar_text(cal)}")
    return 0


def _ask_password_if_missing(svc: Any, name: str) -> None:
    """On a terminal, ask for a password the keyring (or environment) does not have."""
    account = svc.sync.account(name)
    if not _interactive() or svc.sync.secrets.get(account.user, account.url) is not None:
        return
    import getpass

    try:
        typed = getpass.getpass(f"Password of {account.user} at {account.url} ({name}): ")
    except EOFError:
        return
    if typed:
        svc.sync.secrets.put(account.user, account.url, typed)


def _confirm(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _sync_one(svc: Any, name: str, accept_empty: bool) -> Any:
    """One account's run; an emptied server asked about on a terminal, else a failed run."""
    from liaison_calendar.services.sync import EmptyServerError, SyncRun

    try:
        (run,) = svc.sync.run(name, accept_empty=accept_empty)
        return run
    except EmptyServerError as exc:
        empty = exc
    meetings = f"{empty.meetings} meeting{'s' if empty.meetings != 1 else ''}"
    if _interactive():
        print(
            f"The calendar {empty.calendar} of {empty.account} came back empty, but {meetings} "
            "synced with it are here.",
            file=sys.stderr,
        )
        if _confirm(f"Delete {meetings} here? [y/N] "):
            (run,) = svc.sync.run(name, accept_empty=True)
            return run
        return SyncRun(
            name, error=f"the calendar {empty.calendar} came back empty; nothing was deleted here"
        )
    return SyncRun(
        name,
        error=f"the calendar {empty.calendar} came back empty, but {meetings} synced with it "
        "are here. Nothing was deleted; if it was emptied on purpose, run "
        f"'liaison sync run {name} --accept-empty' to delete them here too",
    )


def cmd_sync_run(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        if args.name:
            names = [svc.sync.account(args.name).name]
        else:
            names = [a.name for a in svc.sync.accounts()]
        if not names:
            raise LiaisonError(
                "There is no sync account: add one with "
                "'liaison sync add-account NAME --url URL --user USER'."
            )
        for name in names:
            _ask_password_if_missing(svc, name)
        runs = [_sync_one(svc, name, args.accept_empty) for name in names]
    failed = 0
    for run in runs:
        did = run.pushed or run.pulled or run.deleted_here or run.deleted_there or run.conflicts
        if not run.error or did:
            print(
                f"{run.account}: sent {run.pushed}, received {run.pulled}, deleted here "
                f"{run.deleted_here}, deleted there {run.deleted_there}, new conflicts "
                f"{run.conflicts}, still waiting {run.waiting}"
            )
        for problem in run.problems:
            print(f"  {problem}")
        if run.conflicts:
            print("  See them with 'liaison sync conflicts'.")
        if run.error:
            failed += 1
            message = run.error.rstrip(".") + "."
            print(f"{PROG}: sync of {run.account} failed: {message}", file=sys.stderr)
    return 2 if failed else 0


def cmd_sync_status(args: argparse.Namespace) -> int:
    with _opened(args) as svc:
        states = svc.sync.status()
        waiting = svc.sync.waiting() if states else []
        rows = [
            (
                s.account,
                s.state,
                str(s.waiting),
                str(s.conflicts),
                _local_time(svc, s.last_sync),
            )
            for s in states
        ]
    if not states:
        print(
            "No sync account. Add one with 'liaison sync add-account NAME --url URL --user USER'."
        )
        return 0
    print(_table(rows, ("Account", "State", "Waiting", "Conflicts", "Last sync")))
    for s in states:
        if s.state in ("offline", "error"):
            print(f"{s.account}: {s.message}")
    if waiting:
        print(f"\nWaiting to be sent ({len(waiting)}):")
        width = max(len(w.account) for w in waiting)
        for w in waiting:
            print(f"  {w.account.ljust(width)}  {w.change:<8} {w.title}")
    else:
        print("\nNothing waiting to be sent.")
    if any(s.conflicts for s in states):
        print("See the conflicts with 'liaison sync conflicts'.")
    return 0


def _one_line(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def cmd_sync_conflicts(args: argparse.Namespace) -> int:
    from liaison_calendar.errors import NotFoundError

    with _opened(args) as svc:
        found = svc.sync.conflicts()
        whens: dict[int, str] = {}
        for c in found:
            try:
                meeting = svc.meetings.get(c.uid)
                whens[c.id] = when_text(meeting.start, meeting.end)
            except NotFoundError:
                start = next((f.theirs for f in c.fields if f.name == "start"), "")
                whens[c.id] = start
        found_at = {c.id: _local_time(svc, c.at) for c in found}
    if not found:
        print("No sync conflicts.")
        return 0
    for n, c in enumerate(found):
        if n:
            print()
        print(f"Conflict {c.id}  {c.account}  {c.title}")
        print(f"  When      {whens[c.id] or '—'}")
        print(f"  Found     {found_at[c.id]}")
        if c.mine is None:
            print("  Deleted here; changed on the server.")
        elif c.theirs is None:
            print("  Deleted on the server; changed here.")
        elif not c.fields:
            print("  The same in every field shown here; the texts differ otherwise.")
        else:
            width = max(len(f.name) for f in c.fields)
            for f in c.fields:
                print(f"  {f.name.ljust(width)}  mine:   {_one_line(f.mine) or '(empty)'}")
                print(f"  {''.ljust(width)}  theirs: {_one_line(f.theirs) or '(empty)'}")
    print("\nResolve with 'liaison sync resolve ID --keep mine|theirs|merge [--theirs FIELD,...]'.")
    return 0


def cmd_sync_resolve(args: argparse.Namespace) -> int:
    from liaison_calendar.services.sync import MERGE_FIELDS

    fields = [f.strip() for given in args.theirs for f in given.split(",") if f.strip()]
    if fields and args.keep != "merge":
        raise UsageError("--theirs goes with --keep merge (see 'liaison sync resolve --help')")
    if args.keep == "merge" and not fields:
        raise UsageError(
            "--keep merge needs --theirs FIELD,...: the fields to take from the server"
        )
    names = [name for name, _ in MERGE_FIELDS]
    unknown = [f for f in fields if f not in names]
    if unknown:
        raise ValidationError(
            f"No field {', '.join(unknown)} to merge; the fields are {', '.join(names)}."
        )
    with _opened(args) as svc:
        conflict = svc.sync.resolve(
            args.conflict, args.keep, dict.fromkeys(fields, "theirs") if fields else None
        )
    title = conflict.title
    if args.keep == "theirs":
        if conflict.theirs is None:
            print(f"Deleted {title!r} here, as on the server.")
        else:
            print(f"Kept the server's version of {title!r}.")
        return 0
    if args.keep == "merge":
        print(f"Merged {title!r}: {', '.join(fields)} from the server, the rest yours.")
    elif conflict.mine is None:
        if conflict.theirs is None:
            print(f"{title!r} was deleted on both sides; nothing to send.")
        else:
            print(f"Kept {title!r} deleted; the next 'liaison sync run' deletes it on the server.")
        return 0
    else:
        print(f"Kept your version of {title!r}.")
    print("The next 'liaison sync run' sends it to the server.")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        raise LiaisonError(
            "No screen to open the window on (DISPLAY is not set). Use a command such as "
            f"'{PROG} list', or see '{PROG} --help'."
        )
    from liaison_calendar.ui.app import run_path

    # Opened by the app, after Qt is up: a file it cannot use is a message box there.
    files = [f.expanduser().absolute() for f in getattr(args, "files", [])]
    return run_path(paths.resolve_db_path(getattr(args, "db", None)), files)


# --- entry point -----------------------------------------------------------------------------


CALENDAR_SUFFIXES = (".ics", ".ical", ".icalendar", ".ifb")


def gui_argv(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``liaison [--db PATH] FILE.ics ...`` (what a file manager runs) as ``... open FILE.ics``:
    a first word that is no command but a calendar file, or any existing file, starts the app."""
    commands = {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }
    args = list(argv)
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        i += 2 if args[i] == "--db" else 1  # --db takes a value; --db=PATH is one word
    if i < len(args) and args[i] not in commands:
        word = args[i]
        if word.lower().endswith(CALENDAR_SUFFIXES) or Path(word).is_file():
            args.insert(i, "open")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(gui_argv(parser, sys.argv[1:] if argv is None else argv))
        logs.configure()
        func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_gui)
        return func(args)
    except LiaisonError as exc:
        print(f"{PROG}: {exc.message}", file=sys.stderr)
        return 2
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        print(f"{PROG}: invalid {where or 'value'}: {first.get('msg', exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        log.exception("unexpected error")
        print(
            f"{PROG}: internal error ({type(exc).__name__}: {exc}); details in {logs.log_file()}",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
