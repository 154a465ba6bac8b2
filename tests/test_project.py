"""The project keeps its promises about itself: one list of dependencies, the layout the README draws."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _requirement(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", spec)
    assert match, spec
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [
        *project["dependencies"],
        *(d for extra in project["optional-dependencies"].values() for d in extra),
    ]
    from_pyproject = dict(_requirement(d) for d in declared)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    from_conda = dict(_requirement(d) for d in conda)
    assert from_conda == from_pyproject
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    installs_checkout = any(re.match(r'-e\s+"?\.(\[|"|$)', line) for line in pip_lines)
    assert installs_checkout, "environment.yml must install this checkout"


def test_every_dependency_has_a_lower_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        assert ">=" in spec, f"{spec} has no lower bound"


def test_top_level_layout_is_the_one_the_readme_draws():
    expected = {
        "notebooks",
        "reports",
        "lib",
        "data",
        "tests",
        "benchmarks",
        ".ci",
        "environment.yml",
        "pyproject.toml",
        "Makefile",
        "README.md",
    }
    present = {p.name for p in ROOT.iterdir()}
    assert expected <= present
    readme = (ROOT / "README.md").read_text()
    for name in expected - {".ci"}:
        assert name in readme, f"README does not describe {name}"
    assert (ROOT / "lib" / "community_health" / "__init__.py").is_file()
    assert (ROOT / "reports" / ".gitkeep").is_file()


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, flags=re.M)
    assert "make report" in commands and "make test" in commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)


def test_notebooks_are_thin():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: exactly one cell tagged parameters"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not re.search(r"^\s*(def|class|lambda)\b", cell.source, flags=re.M), (
                    f"{path.name} defines a function: it belongs in the library"
                )
                assert not cell.outputs, f"{path.name} is committed with outputs"


def test_a_report_names_columns_without_loading_the_validation_library():
    """The schema's classes name columns for every report and notebook; pandera, which only checks
    tables (at ingest and enrichment), is loaded when a table is validated, not when a report starts."""
    code = (
        "import sys\n"
        "from community_health import report\n"
        "from community_health.schema import Messages\n"
        "assert Messages.created_at == 'created_at'\n"
        "print('pandera' in sys.modules)\n"
        "Messages.to_schema()\n"
        "print('pandera' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_the_readme_lists_every_format_ingest_recognises():
    """The README's table of formats names every registered reader, and nothing that is not one."""
    from community_health.ingest import known_formats

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What `ingest` reads", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.MULTILINE)
    assert sorted(listed) == sorted(known_formats())
