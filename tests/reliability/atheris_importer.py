"""Coverage-guided fuzzing of the .ics parser with atheris (libFuzzer), for long hunts on purpose.

    uv run --with atheris python -m tests.reliability.atheris_importer -max_total_time=600

atheris is not a dependency of the project: ``uv run --with atheris`` installs it from PyPI into
a throw-away environment (a wheel for CPython 3.11 on Linux x86-64; elsewhere it builds from
source and needs clang with libFuzzer). Any libFuzzer option may follow, e.g. ``-timeout=20``
(seconds one input may take: more is a hang), ``-rss_limit_mb=2048``, ``-max_len=65536``,
``-jobs=2``, ``-artifact_prefix=/tmp/ics-`` (where crashing inputs are written), and corpus
directories. Without a corpus directory the calendars of ``tests/import_cases`` and a few
hostile files seed a temporary one.

The entry point is ``reader.read``: the bytes of a file, scanned, checked and every VEVENT
parsed into a meeting draft, with no database (the importer's own parse step; the guarded
importer of ``hostile.py`` covers the rest). What it must do with any input:

- return a ReadResult, or raise ``reader.ReadError`` (the file is refused): anything else
  escaping is a crash;
- give problems and refusals of one line and at most 400 characters;
- give each event the UID its draft holds (the importer matches UIDs before saving the draft:
  a UID the draft changes made one import save a meeting twice).

A failing input is written by libFuzzer as ``crash-<sha1>`` (see ``-artifact_prefix``); replay
it with ``uv run python -m tests.reliability.fuzz_importer --replay crash-...`` for the whole
importer, or with this script and the file as its only argument.
"""

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["liaison_calendar"]):
    from liaison_calendar.ical import reader

from tests.reliability import hostile  # noqa: E402 - after the instrumented imports

VOCABULARY = reader.Vocabulary(
    kinds={"staff talks": "staff-talks", "other": "other"},
    strands={"cyber": "cyber", "exercises": "exercises"},
)
MESSAGE_LIMIT = 400

# Parse in this process whatever the number of events: libFuzzer and forked workers do not mix.
reader.PARALLEL_FROM = reader.SPAWNED_FROM = 10**12


def _one_clear_line(text: str) -> None:
    if "\n" in text or "\r" in text or not text.strip() or len(text) > MESSAGE_LIMIT:
        raise AssertionError(f"not one clear line: {text[:500]!r}")


def test_one_input(data: bytes) -> None:
    try:
        result = reader.read(data, default_tz="Europe/Brussels", vocabulary=VOCABULARY)
    except reader.ReadError as exc:
        _one_clear_line(str(exc))
        return
    for problem in result.problems:
        _one_clear_line(str(problem))
    for found in result.events:
        if found.uid != found.draft.uid:
            raise AssertionError(f"UID {found.uid!r} but the draft's is {found.draft.uid!r}")
        for repair in found.repairs:
            _one_clear_line(repair)


def _seed_corpus() -> str:
    """A temporary corpus: the import cases and the small hostile files."""
    corpus = Path(tempfile.mkdtemp(prefix="liaison-atheris-corpus-"))
    for name, data in hostile.case_seeds():
        (corpus / f"{name}.ics").write_bytes(data)
    for case in hostile.named_cases(volume=10, accepted_volume=10, calendars=3):
        path = case.write(corpus / f"{case.name}.ics")
        if path.stat().st_size > 65536:
            path.unlink()
    return str(corpus)


def main() -> None:
    argv = list(sys.argv)
    if not any(not arg.startswith("-") for arg in argv[1:]):
        argv.append(_seed_corpus())
    if not any(arg.startswith("-max_len") for arg in argv):
        argv.append("-max_len=65536")
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
