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


def _fake_checkout(tmp_path: Path) -> Path:
    """run.sh beside an installed-looking .venv whose ``coopkit`` prints its arguments
    (the real one would install nothing here either: the stamp says it is up to date)."""
    import hashlib
    import shutil

    for name in ("run.sh", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, body in (("python", "exit 0"), ("coopkit", 'printf "%s|" "$@"')):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()
                            + (ROOT / "constraints.txt").read_bytes()).hexdigest()[:16]
    (tmp_path / ".venv" / f".installed-{digest}").touch()
    return tmp_path


def test_run_sh_passes_any_coopkit_command_through(tmp_path):
    """After ``./run.sh start``, ``./run.sh demo --reset`` is ``coopkit demo --reset``
    in the checkout's environment (the README's commands, without activating it)."""
    import subprocess

    checkout = _fake_checkout(tmp_path)
    for args in (["demo", "--reset"], ["export", "workshop:1", "--out", "a b.xlsx"],
                 ["start", "--no-browser"]):
        done = subprocess.run(["bash", str(checkout / "run.sh"), *args],
                              capture_output=True, text=True, timeout=30, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout == "".join(f"{a}|" for a in args)
    bare = subprocess.run(["bash", str(checkout / "run.sh")], capture_output=True,
                          text=True, timeout=30, check=False)
    assert bare.returncode == 2 and "./run.sh demo" in bare.stderr


def test_readme_says_how_to_run_coopkit_commands_after_start():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## The `coopkit` command")[1].split("\n## ")[0]
    assert "./run.sh demo" in section and "source .venv/bin/activate" in section


# --------------------------------------------------------------- the lock (issue 18)

def _pins() -> dict[str, str]:
    """constraints.txt: package -> version (markers aside)."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, rest = line.partition("==")
            pins[_canonical(name)] = rest.split(";")[0].strip()
    return pins


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_pins_every_dependency_within_its_bounds():
    """A dependency added to pyproject.toml without ``./run.sh lock`` fails here."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    wanted = [Requirement(r.split("#")[0]) for r in
              [*project["dependencies"], *project["optional-dependencies"]["test"]]]
    missing, outside = [], []
    for req in wanted:
        names = [req.name] + [f"{req.name}-{extra}" for extra in req.extras]
        for name in names:  # psycopg[binary] is psycopg and psycopg-binary
            if _canonical(name) not in pins:
                missing.append(name)
        version = pins.get(_canonical(req.name))
        if version is not None and not req.specifier.contains(Version(version),
                                                              prereleases=True):
            outside.append(f"{req.name}=={version} ({req.specifier})")
    assert missing == [], f"not in constraints.txt (run ./run.sh lock): {missing}"
    assert outside == [], f"pinned outside pyproject's bounds (run ./run.sh lock): {outside}"
    assert "./run.sh lock" in (ROOT / "constraints.txt").read_text()[:300]


def test_run_sh_and_ci_install_from_the_lock():
    run = (ROOT / "run.sh").read_text()
    installs = [ln for ln in run.splitlines() if "pip install" in ln and '".[test]"' in ln]
    assert installs and all("-c constraints.txt" in ln for ln in installs)
    assert "constraints.txt" in run.split("stamp=")[1].splitlines()[0]  # a new lock reinstalls
    assert "pgbouncer" in run.split("test_env()")[1].split("}")[0]
    readme = (ROOT / "README.md").read_text()
    assert "./run.sh lock" in readme


# ------------------------------------------------------ what the wheel carries (issue 18)

def test_spdx_licence_and_its_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert all((ROOT / f).is_file() for f in project["license-files"])
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in requires)


def test_every_package_and_shipped_folder_is_listed():
    """setuptools gets an explicit list (the shipped folders are mapped into the
    package): a folder left out would silently miss from the wheel."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setup["packages"])
    mapped = setup["package-dir"]
    expected = {".".join(p.parent.relative_to(ROOT).parts)
                for p in (ROOT / "coopkit").rglob("__init__.py")}
    expected |= {".".join(p.parent.relative_to(ROOT).parts)
                 for p in (ROOT / "coopkit" / "locale").rglob("*.po")}
    expected.add("coopkit.locale")
    # folders of data files inside the package (the phone page's Voilà template)
    expected |= {".".join(p.parent.relative_to(ROOT).parts)
                 for p in (ROOT / "coopkit" / "serving" / "share").rglob("*") if p.is_file()}
    for package, folder in mapped.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and ".ipynb_checkpoints" not in path.parts \
                    and path.suffix in (".ipynb", ".yaml", ".md", ".pdf", ".png"):
                parts = path.parent.relative_to(ROOT / folder).parts
                expected.add(".".join([package, *parts]))
    assert listed == expected
    data = setup["package-data"]
    for package in expected - {"coopkit", "coopkit.locale"}:
        if package.startswith(("coopkit.notebooks", "coopkit.questionnaires", "coopkit.docs",
                               "coopkit.locale.")):
            assert package in data, f"{package}: no package-data patterns"
