"""The short version of the crash trials (``crash_trials``, 100 per mode, run on purpose): a
working process killed with SIGKILL loses nothing acknowledged and leaves nothing half done."""

import random
from pathlib import Path

import pytest

from tests.reliability.crash_trials import MODES, prepare, run, trial_import

pytestmark = pytest.mark.slow


def test_killed_imports_publishes_and_edits_lose_nothing_and_leave_nothing_half_done(
    tmp_path: Path,
) -> None:
    said: list[str] = []

    tallies = run(list(MODES), trials=3, events=2_000, seed=7, work=tmp_path, say=said.append)

    assert set(tallies) == set(MODES)
    for mode, tally in tallies.items():
        assert tally.trials == 3, mode
        assert tally.failures == [], "\n".join(said)


def test_an_import_killed_while_parsing_takes_its_parsing_process_with_it(
    tmp_path: Path,
) -> None:
    """The parsing process was forked from the importing one; killed, the importer used to
    leave it running for ever, waiting on a pipe it held open itself."""
    setup = prepare(tmp_path, 3_000)

    outcomes = [trial_import(setup, random.Random(1), n, at) for n, at in enumerate((0.4, 0.7))]

    assert outcomes == [("nothing", None), ("nothing", None)]
