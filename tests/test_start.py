"""The README's first command: `coopkit start` brings up the demo project, the
participant server and JupyterLab, prints one short block of addresses (Jupyter's own
log goes to a file), and one SIGTERM stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from browser_fixtures import free_port

from coopkit.demo import find_demo
from coopkit.serving import serve
from coopkit.store import open_store

pytestmark = pytest.mark.slow


def _lab_up(port: int) -> bool:
    try:
        with serve._DIRECT.open(f"http://127.0.0.1:{port}/api", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _wait(condition, proc: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.25)
    return False


def test_start_runs_demo_server_and_lab_then_stops(tmp_path):
    app_port, lab_port = free_port(), free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "coopkit.cli", "start", "--no-browser", "--data",
         str(tmp_path / "data"), "--port", str(app_port), "--lab-port", str(lab_port),
         "--expect", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True,
    )
    try:
        assert _wait(lambda: serve.is_ready(app_port) and _lab_up(lab_port), proc, 240), (
            proc.stdout.read() if proc.poll() is not None else "servers not up in time")
        with open_store(data=str(tmp_path / "data")) as store:
            assert find_demo(store) is not None
        with urllib.request.urlopen(f"http://127.0.0.1:{lab_port}/api/contents",
                                    timeout=5) as resp:  # pragma: no cover - must fail
            pytest.fail(f"JupyterLab answered without its token: {resp.status}")
    except urllib.error.HTTPError as err:
        assert err.code == 403  # JupyterLab keeps its token
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=90)
        output = proc.stdout.read()
        proc.stdout.close()
    assert code == 0, output
    assert not serve.is_ready(app_port) and not _lab_up(lab_port)
    data = tmp_path / "data"
    with open_store(data=str(data)) as store:
        codes = [w.code for w in store.workshops() if w.is_open]
    block = output[output.index("coopkit est prêt"):]
    assert f"http://127.0.0.1:{lab_port}/lab?token=" in block
    assert f":{app_port}/" in block and all(f"?code={c}" in block for c in codes)
    assert all((data / f"qr-{c}.png").is_file() for c in codes)
    assert "ServerApp]" not in output and "Kernel" not in output  # no Jupyter log here
    log = (data / "jupyterlab.log").read_text()
    assert "Jupyter Server" in log
    assert "voila.server_extension | extension was successfully loaded" not in log
    assert len(output.strip().splitlines()) <= 20
