"""The scale run (``python -m tests.sync.scale``, README "Sharing through CalDAV") still works:
run small here, with its figures printed and both databases in step at the end."""

import re

import pytest

from tests.sync import scale


def test_the_scale_run_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert scale.main(["--meetings", "12", "--changes", "3", "--servers", "radicale"]) == 0
    out = capsys.readouterr().out
    assert "radicale: 12 meetings, 3 changes" in out
    assert re.search(r"first sync, sending 12: [\d.]+ s .*x the plain PUTs", out)
    assert re.search(r"first sync, receiving 12: ", out)
    assert re.search(r"incremental, sending 3: \d+ ms", out)
    assert re.search(r"incremental, receiving 3: \d+ ms", out)
    assert "both databases in step: yes" in out
