"""A report is written into a staging folder and moved into place: a render that is interrupted or
killed halfway leaves nothing half-written in the reports folder once the report is rendered again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from community_health import render

FIXTURES = Path(__file__).parent / "fixtures"
DEMO_YML = Path(__file__).resolve().parent.parent / "data" / "demo" / "client.yml"


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_staging_folders_of_renders_that_died_are_removed_and_running_ones_kept(tmp_path: Path) -> None:
    destination = tmp_path / "acme" / "2026-10"
    destination.parent.mkdir(parents=True)
    dead = destination.parent / f".2026-10.{_dead_pid()}.x1y2z3"
    running = destination.parent / f".2026-10.{os.getpid()}.a1b2c3"
    unnamed = destination.parent / ".2026-10.q9w8e7"  # (staging folders used to carry no process id)
    audit = destination.parent / f".2026-10-channel_audit.{_dead_pid()}.k5l6m7"  # another report's
    for folder in (dead, running, unnamed, audit):
        (folder / "report.ipynb").parent.mkdir()
        (folder / "report.ipynb").write_text("{}")
    render._remove_abandoned(destination)
    assert not dead.exists() and not unnamed.exists()
    assert running.is_dir() and audit.is_dir()


def test_an_interrupted_render_leaves_no_staging_folder(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "data" / "acme"
    (root / "exports" / "x").mkdir(parents=True)
    shutil.copy(DEMO_YML, root / "client.yml")
    shutil.copy(FIXTURES / "x_analytics" / "x_analytics_promoted_dash.csv", root / "exports" / "x" / "x.csv")

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "execute_notebook", interrupted)
    out = tmp_path / "reports"
    with pytest.raises(KeyboardInterrupt):
        render.render_report("acme", "2026-10", data_dir=tmp_path / "data", out_dir=out, pdf=False)
    assert list((out / "acme").iterdir()) == []  # no staging folder, no half-written report
