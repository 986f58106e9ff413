"""pyproject.toml and environment.yml install the same set; the README's commands are
the ones CI runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# pip name -> conda-forge name where they differ
CONDA_NAME = {"psycopg[binary]": "psycopg"}


def _split(requirement: str) -> tuple[str, str]:
    requirement = requirement.split("#")[0].strip()
    match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", requirement)
    assert match, requirement
    name, spec = match.groups()
    name = CONDA_NAME.get(name, name).lower()
    return name, spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in project["dependencies"])
    wanted |= dict(_split(r) for r in project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(
        _split(d) for d in env["dependencies"]
        if isinstance(d, str) and _split(d)[0] not in ("python", "pip")
    )
    assert conda == wanted
    python_spec = next(d for d in env["dependencies"] if isinstance(d, str)
                       and _split(d)[0] == "python")
    assert python_spec.replace("python", "") == project["requires-python"]


def test_voila_is_patched_for_cve_2024_30265():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(d.replace(" ", "").startswith("voila>=0.5.6") for d in project["dependencies"])


def test_every_dependency_says_why():
    for line in (ROOT / "pyproject.toml").read_text().splitlines():
        if re.match(r'^\s+"[a-z].*>=', line) and "dependencies" not in line:
            assert "#" in line, f"dependency without a reason: {line.strip()}"


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Démarrage rapide")[1].split("```bash")[1].split("```")[0]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert commands == ["./run.sh start", "./run.sh test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./run.sh test" in ci
