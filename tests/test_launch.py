"""Running servers together: one block once all answer, a dead server reported with the
end of its log, and nothing left running whatever happens (real child processes)."""

from __future__ import annotations

import io
import subprocess
import sys

from coopkit.serving import launch


def child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code])


def test_the_block_aligns_labels_and_ends_with_the_notes():
    out = io.StringIO()
    launch.print_addresses([("Vos carnets :", "http://127.0.0.1:8888/lab?token=x"),
                            ("Participants :", "http://10.0.0.2:8866/")],
                           ["Journaux : a.log"], out)
    lines = out.getvalue().splitlines()
    assert lines[1] == "coopkit est prêt. Gardez ce terminal ouvert pendant la séance."
    assert lines[2] == "  Vos carnets :   http://127.0.0.1:8888/lab?token=x"
    assert lines[3] == "  Participants :  http://10.0.0.2:8866/"
    assert lines[4] == "Journaux : a.log"


def test_a_server_dying_before_it_answers_is_reported_with_its_log(tmp_path):
    log = tmp_path / "serveur.log"
    log.write_text("ligne 1\nOSError: port occupé\n", encoding="utf-8")
    alive = child("import time; time.sleep(120)")
    dead = child("raise SystemExit(3)")
    out = io.StringIO()
    services = [launch.Service("JupyterLab", alive, lambda: True),
                launch.Service("Le serveur des participants", dead, lambda: False, log)]
    assert launch.supervise(services, [("x", "y")], out=out, ready_timeout=60) == 1
    text = out.getvalue()
    assert "Le serveur des participants s'est arrêté de lui-même (code 3)" in text
    assert "OSError: port occupé" in text and "coopkit est prêt" not in text
    assert alive.poll() is not None  # the other one was stopped


def test_a_server_that_never_answers_is_named(tmp_path):
    slow = child("import time; time.sleep(120)")
    out = io.StringIO()
    services = [launch.Service("JupyterLab", slow, lambda: False, tmp_path / "lab.log")]
    assert launch.supervise(services, [], out=out, ready_timeout=0.5) == 1
    assert "JupyterLab ne répond pas après 0.5 s" in out.getvalue()
    assert slow.poll() is not None


def test_after_the_block_a_server_that_stops_ends_the_session(tmp_path):
    marker = tmp_path / "go"
    # answers at once, then stops by itself once told to (a file appears)
    worker = child(f"import pathlib, time\nwhile not pathlib.Path({str(marker)!r}).exists():"
                   f"\n    time.sleep(0.05)\nraise SystemExit(5)")
    keeper = child("import time; time.sleep(120)")
    out = io.StringIO()

    def ready() -> bool:
        marker.touch()  # the block is about to be printed: let the worker stop
        return True

    services = [launch.Service("A", worker, ready), launch.Service("B", keeper, lambda: True)]
    assert launch.supervise(services, [("A :", "http://a")], out=out) == 1
    text = out.getvalue()
    assert "coopkit est prêt" in text and "A s'est arrêté de lui-même (code 5)" in text
    assert keeper.poll() is not None
