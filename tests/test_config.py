"""client.yml and report periods as typed objects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from community_health.config import ConfigError, Period, load_client

ROOT = Path(__file__).resolve().parent.parent


def test_period_bounds_are_local_midnights_in_utc():
    october = Period.parse("2026-10")
    # Madrid is UTC+2 on 1 October (summer time) and UTC+1 on 1 November.
    assert october.start("Europe/Madrid") == pd.Timestamp("2026-09-30 22:00", tz="UTC")
    assert october.end("Europe/Madrid") == pd.Timestamp("2026-10-31 23:00", tz="UTC")
    assert str(october.previous()) == "2026-09"
    assert str(Period.parse("2026-01").previous()) == "2025-12"
    assert october.label == "October 2026"


@pytest.mark.parametrize("text", ["2026-13", "26-10", "October", "2026-1", ""])
def test_a_malformed_period_says_what_was_expected(text):
    with pytest.raises(ConfigError, match="YYYY-MM"):
        Period.parse(text)


def test_demo_client_marks_brand_accounts_by_id_or_name_in_any_case():
    cfg = load_client("demo", ROOT / "data")
    assert cfg.timezone == "Europe/Madrid"
    assert cfg.is_brand("slack", "U0BB00001")
    assert cfg.is_brand("x", None, "@BrightBrew")
    assert not cfg.is_brand("slack", "U999")
    assert cfg.is_bot("discourse", "system")
    assert cfg.thresholds.response_target_hours == 4


def test_unknown_client_lists_the_known_ones(tmp_path: Path):
    shutil.copytree(
        ROOT / "data" / "demo", tmp_path / "demo", ignore=shutil.ignore_patterns("exports", "normalised")
    )
    with pytest.raises(ConfigError, match=r"no client 'acme'.*clients found: demo"):
        load_client("acme", tmp_path)


def test_config_errors_name_the_file_and_the_field(tmp_path: Path):
    (tmp_path / "acme").mkdir()
    yml = tmp_path / "acme" / "client.yml"
    yml.write_text("name: Acme\ntimezone: Mars/Olympus\n")
    with pytest.raises(ConfigError, match=r"acme/client.yml: timezone 'Mars/Olympus'"):
        load_client("acme", tmp_path)
    yml.write_text("name: Acme\nbrand_accounts:\n  myspace: [acme]\n")
    with pytest.raises(ConfigError, match=r"unknown platform 'myspace'"):
        load_client("acme", tmp_path)
    yml.write_text("name: Acme\nthresholds:\n  spike: 3\n")
    with pytest.raises(ConfigError, match=r"unknown thresholds \['spike'\]"):
        load_client("acme", tmp_path)
