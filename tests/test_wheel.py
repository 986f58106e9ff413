"""The package as IT installs it: build the sdist and the wheel (from a copy of the
source, as a fresh clone), install the wheel with its dependencies (the tested
versions of constraints.txt) in a fresh virtual environment, and from another folder
make the demo, validate the shipped questionnaires, make the consultant's working copy
of the notebooks in a data folder, and serve the participant app until a participant page answers.

Slow: the first run downloads the dependencies from PyPI into uv's cache (a few
minutes); later runs install from that cache in seconds.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_fixtures import free_port

from coopkit import working_copy
from coopkit.serving import serve
from coopkit.store import open_store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
#: folders of the source shipped in the wheel (pyproject's package-dir)
SHIPPED = {"notebooks": "coopkit/notebooks", "questionnaires": "coopkit/questionnaires"}


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path
    log: str


@dataclass(frozen=True)
class Installed:
    python: Path
    bin: Path
    env: dict[str, str]
    place: Path  # a folder that is not the checkout

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=self.place, env=self.env, text=True,
                              capture_output=True, timeout=timeout, check=False)


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).is_file():
        pytest.fail("uv not found (it is in the [test] extra: ./run.sh test installs it)")
    return found


def _source_copy(target: Path) -> Path:
    """The files a fresh clone has (tracked, and new ones not ignored), nothing else."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    source = _source_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("dist")
    # uv build makes the sdist, then the wheel from the sdist: both are checked
    done = subprocess.run([_uv(), "build", "--out-dir", str(out)],
                          cwd=source, capture_output=True, text=True, timeout=600,
                          check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return Built(next(out.glob("*.whl")), next(out.glob("*.tar.gz")), log)


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run([_uv(), "pip", "install", "--quiet", "--python", str(python),
                           "-c", str(ROOT / "constraints.txt"), str(built.wheel)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "COOPKIT_DATABASE_URL", "COOPKIT_DATA", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path_factory.mktemp("runtime"))
    yield Installed(python, venv / "bin", env, tmp_path_factory.mktemp("elsewhere"))


def test_the_build_warns_of_nothing(built):
    lowered = built.log.lower()
    for word in ("deprecat", "is absent from the `packages`", "setuptoolswarning",
                 "_warning:"):
        assert word not in lowered, [ln for ln in built.log.splitlines()
                                     if word in ln.lower()][:5]


def test_the_wheel_carries_the_sources_as_they_are(built):
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        for folder, inside in SHIPPED.items():
            sources = [p for p in (ROOT / folder).rglob("*") if p.is_file()
                       and p.suffix in (".ipynb", ".yaml")
                       and ".ipynb_checkpoints" not in p.parts]
            assert sources
            for path in sources:
                name = f"{inside}/{path.relative_to(ROOT / folder).as_posix()}"
                assert name in names, f"{name} missing from the wheel"
                assert wheel.read(name) == path.read_bytes(), f"{name} differs"
        for path in (ROOT / "coopkit" / "locale").rglob("*.po"):
            name = path.relative_to(ROOT).as_posix()
            assert wheel.read(name) == path.read_bytes()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = wheel.read(metadata).decode()
        assert "License-Expression: MIT" in text
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert built.sdist.stat().st_size > 0


def test_installed_from_the_wheel_it_finds_its_files_outside_a_checkout(installed):
    done = installed.run(str(installed.python), "-c",
                         "from coopkit import config; print(config.IN_CHECKOUT); "
                         "print(config.APP_NOTEBOOK); print(config.QUESTIONNAIRES_DIR)")
    assert done.returncode == 0, done.stderr
    in_checkout, app, questionnaires = done.stdout.split()
    assert in_checkout == "False"
    assert "site-packages" in app and Path(app).is_file()
    assert not Path(questionnaires).is_relative_to(ROOT)


def test_demo_validate_and_the_working_copy_of_the_notebooks(installed):
    data = installed.place / "data"
    done = installed.run("coopkit", "demo", "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert (data / "coopkit.sqlite").is_file()
    where = installed.run(str(installed.python), "-c",
                          "from coopkit import config; print(config.QUESTIONNAIRES_DIR)")
    shipped = Path(where.stdout.strip())
    done = installed.run("coopkit", "validate", str(shipped))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("valide") == len(list(shipped.glob("*.yaml"))) >= 3
    # what coopkit lab / start open: the working copy, from the wheel's notebooks
    done = installed.run(str(installed.python), "-c",
                         "from pathlib import Path; from coopkit import working_copy; "
                         f"r = working_copy.refresh_working_copy(Path({str(data)!r})); "
                         "print(r.folder); print(len(r.copied))")
    assert done.returncode == 0, done.stderr
    folder, copied = done.stdout.split()
    assert Path(folder) == data / "carnets" and int(copied) >= 4
    for name in working_copy.shipped_files(ROOT / "notebooks"):
        assert (data / "carnets" / name).read_bytes() == (ROOT / "notebooks" / name
                                                          ).read_bytes(), name
    # the reading the notebooks link to (guide, glossary, handouts) comes with the wheel
    done = installed.run(str(installed.python), "-c",
                         "from pathlib import Path; from coopkit import working_copy; "
                         f"print(len(working_copy.refresh_reading(Path({str(data)!r}))))")
    assert done.returncode == 0, done.stderr
    for name in ("animer.md", "glossaire.md"):
        assert (data / "docs" / name).read_bytes() == (ROOT / "docs" / name).read_bytes()
    assert list((data / "docs" / "fiches").glob("*.pdf"))


@pytest.mark.timeout(600)
def test_serve_answers_a_participant_page(installed):
    data = installed.place / "serve-data"
    assert installed.run("coopkit", "demo", "--data", str(data)).returncode == 0
    with open_store(data=str(data)) as store:
        code = next(w.code for w in store.workshops() if w.is_open)
    port = free_port()
    log = (installed.place / "serve.log").open("w")
    proc = subprocess.Popen(["coopkit", "serve", "--data", str(data), "--port", str(port),
                             "--expect", "1"], cwd=installed.place, env=installed.env,
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        assert serve.wait_ready(port, deadline, lambda: proc.poll() is None), \
            (installed.place / "serve.log").read_text()[-3000:]
        url = serve.participant_url("127.0.0.1", port, code)
        with serve._DIRECT.open(url, timeout=120) as page:
            html = page.read().decode()
            assert page.status == 200
        assert serve.kernel_id_in(html), html[:2000]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode == 0, (installed.place / "serve.log").read_text()[-3000:]

