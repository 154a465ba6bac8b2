"""A person with accounts on several platforms (``aliases`` in client.yml) in the client report: counted
once, listed once under the person's name, and under one pseudonym everywhere when the report is
pseudonymised."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from community_health.metrics import core, loyalty
from community_health.report.scope import member_keys
from community_health.report.sections import member_pseudonym, open_report

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
PERSON = "Ana Ruiz Ortega"  # the name client.yml gives her: none of her accounts uses it
ACCOUNTS = {"slack": "U0SF0A1R2U", "discourse": "ana_ruiz", "discord": "311000000000000101"}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("people") / "data"
    shutil.copytree(ROOT / "data" / "demo", data / "demo", ignore=shutil.ignore_patterns("normalised"))
    yml = data / "demo" / "client.yml"
    accounts = "".join(f'    {platform}: "{account}"\n' for platform, account in ACCOUNTS.items())
    yml.write_text(yml.read_text(encoding="utf-8") + f"aliases:\n  {PERSON}:\n{accounts}", encoding="utf-8")
    return data


def test_a_person_on_three_platforms_counts_once(data: Path):
    rpt = open_report("demo", PERIOD, data_dir=data)
    accounts = rpt.messages.loc[rpt.messages["person_id"] == PERSON]
    assert set(accounts["platform"]) == set(ACCOUNTS), "all three accounts belong to the person"
    active = loyalty.active_members(rpt.messages, rpt.window)
    row = active.loc[active["author_name"] == PERSON]
    assert len(row) == 1 and set(row.iloc[0]["platform"].split(", ")) <= set(ACCOUNTS)
    per_account = loyalty.active_member_count(rpt.messages.drop(columns="person_id"), rpt.window)
    in_october = accounts.loc[rpt.window.contains(accounts["created_at"]), "platform"].nunique()
    assert loyalty.active_member_count(rpt.messages, rpt.window) == per_account - (in_october - 1)
    group = core.core_group(rpt.messages, rpt.window)
    assert (group["author_name"] == PERSON).sum() == 1


def test_pseudonymised_the_person_is_one_pseudonym_and_never_named(data: Path):
    rpt = open_report("demo", PERIOD, data_dir=data, pseudonymise=True)
    alias = member_pseudonym("slack", ACCOUNTS["slack"], PERSON)
    blocks = [rpt.core_group(), rpt.advocates(), rpt.verbatims(), rpt.unanswered(), rpt.loyalty()]
    html = "".join(b.html + "".join(fig.to_json() for fig in b.figures) for b in blocks)
    assert PERSON not in html and "Ana Ruiz" not in html
    assert alias in html
    # A member's own text naming her gets the same pseudonym.
    assert rpt._scrub(f"thanks {PERSON} and Ana Ruiz!") == f"thanks {alias} and {alias}!"
    # The explorer finds all her accounts by her pseudonym.
    found = member_keys(rpt.messages, alias, pseudonymised=True)
    assert set(zip(found["platform"], found["author_id"], strict=True)) == set(ACCOUNTS.items())
