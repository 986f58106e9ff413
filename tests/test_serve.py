"""``coopkit serve``: the Voilà command line, addresses, QR codes, and a clean stop."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_fixtures import free_port, open_test_workshop, stop_serve

from coopkit.cli import main
from coopkit.errors import CoopkitError
from coopkit.serving import serve

OPTIONS = serve.ServeOptions(data=Path("/tmp/coopkit-test-data"), port=8123, expect=30)


@pytest.mark.parametrize(("expect", "size"), [(1, 3), (2, 4), (10, 12), (30, 33), (60, 66),
                                              (100, 110), (0, 3), (-5, 3)])
def test_pool_holds_every_arrival_and_a_margin(expect, size):
    assert serve.pool_size(expect) == size


def _voila_classes() -> dict[str, type]:
    """The classes that read each ``--Class.`` option in a ``voila --preheat_kernel``."""
    from jupyter_client.manager import KernelManager
    from jupyter_server.services.kernels.kernelmanager import (
        AsyncMappingKernelManager,
        MappingKernelManager,
        ServerKernelManager,
    )
    from voila.app import Voila
    from voila.configuration import VoilaConfiguration
    from voila.execute import VoilaExecutor
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    pooled = voila_kernel_manager_factory(AsyncMappingKernelManager, True, 1)
    assert pooled.__name__ == "VoilaKernelManager"
    assert MappingKernelManager in pooled.__mro__
    assert KernelManager in ServerKernelManager.__mro__  # each kernel's manager
    return {"Voila": Voila, "VoilaConfiguration": VoilaConfiguration,
            "VoilaExecutor": VoilaExecutor, "VoilaKernelManager": pooled,
            "MappingKernelManager": MappingKernelManager, "KernelManager": KernelManager}


def test_every_voila_option_exists_in_the_installed_voila():
    """Each ``--Class.trait=value`` (or alias) names a configurable trait of the class
    that will read it, and its value is valid: a misspelt option is silently ignored
    by traitlets, so this is the only place it would be caught."""
    from traitlets import List
    from voila.app import Voila

    classes = _voila_classes()
    command = serve.voila_command(OPTIONS, python="python")
    assert command[:4] == ["python", "-m", "coopkit.serving.voila_app", str(serve.APP_NOTEBOOK)]
    for option in command[4:]:
        name, _, value = option[2:].partition("=")
        if name in Voila.flags:
            continue
        target = Voila.aliases.get(name, name)
        class_name, _, trait_name = target.partition(".")
        traits = classes[class_name].class_traits(config=True)
        assert trait_name in traits, option
        trait = traits[trait_name]
        if isinstance(trait, List):
            assert trait.from_string_list([value]) == [value], option
        else:
            trait.validate(None, trait.from_string(value))


def test_voila_reads_the_options_as_meant():
    from coopkit.serving.voila_app import CoopkitVoila

    app = CoopkitVoila()
    app.parse_command_line(serve.voila_command(OPTIONS, python="python")[3:])
    config = app.config
    assert app.extra_args == [str(serve.APP_NOTEBOOK)]
    assert app.ip == "0.0.0.0"
    assert app.port == 8123
    assert app.port_retries == 0
    assert app.open_browser is False
    assert app.config_file_paths == [str(serve.VOILA_CONFIG_DIR)]
    assert not list(serve.VOILA_CONFIG_DIR.glob("voila.*"))
    assert config.VoilaConfiguration.preheat_kernel is True
    assert config.VoilaConfiguration.default_pool_size == 33
    # classes Voila does not list are read later, from strings
    assert float(config.VoilaKernelManager.fill_delay) == serve.DEFAULT_FILL_DELAY
    assert str(config.KernelManager.transport) == "ipc"
    assert int(config.VoilaExecutor.iopub_timeout) == serve.IOPUB_TIMEOUT
    assert int(config.MappingKernelManager.cull_idle_timeout) == serve.CULL_IDLE_TIMEOUT
    assert int(config.MappingKernelManager.cull_interval) == serve.CULL_INTERVAL
    assert config.VoilaConfiguration.show_tracebacks is False
    assert config.VoilaConfiguration.strip_sources is True
    assert config.VoilaConfiguration.allow_template_override == "NO"
    assert config.VoilaConfiguration.allow_theme_override == "NO"


def test_an_instance_behind_nginx_listens_on_this_machine_only():
    from coopkit.cli import build_parser
    from coopkit.serving.voila_app import CoopkitVoila

    args = build_parser().parse_args(["serve", "--bind", "127.0.0.1"])
    assert args.bind == "127.0.0.1"
    assert build_parser().parse_args(["serve"]).bind == "0.0.0.0"
    app = CoopkitVoila()
    local = serve.ServeOptions(data=OPTIONS.data, port=8123, bind="127.0.0.1")
    app.parse_command_line(serve.voila_command(local, python="python")[3:])
    assert app.ip == "127.0.0.1"
    unit = (Path(__file__).resolve().parent.parent / "deploy" / "systemd"
            / "coopkit-serve@.service").read_text()
    assert "--bind 127.0.0.1" in unit


def test_only_the_participant_notebook_is_served():
    """Never a folder (consultants' notebooks), never a JupyterLab extension."""
    command = serve.voila_command(OPTIONS)
    assert serve.APP_NOTEBOOK.is_file()
    assert serve.APP_NOTEBOOK.parent.name == "apps"
    positional = [arg for arg in command[3:] if not arg.startswith("-")]
    assert positional == [str(serve.APP_NOTEBOOK)]
    assert "--ip=0.0.0.0" not in command  # silently ignored by voila: --Voila.ip is used


def test_kernels_get_the_data_folder_and_language(tmp_path):
    opts = serve.ServeOptions(data=tmp_path, lang="en")
    env = serve.kernel_env(opts)
    assert env["COOPKIT_DATA"] == str(tmp_path)
    assert env["COOPKIT_LANG"] == "en"


def test_lan_address_is_an_ipv4_address_of_this_machine():
    address = serve.lan_address()
    socket.inet_aton(address)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))  # it is one of ours


def test_participant_links():
    assert serve.participant_url("192.168.1.20", 8866) == "http://192.168.1.20:8866/"
    assert serve.participant_url("192.168.1.20", 8866, "ABC234") == \
        "http://192.168.1.20:8866/?code=ABC234"


def test_banner_gives_each_open_workshop_a_link_and_a_qr_code(tmp_path):
    opts = serve.ServeOptions(data=tmp_path, port=8866)
    out = io.StringIO()
    serve.print_banner(opts, "192.168.1.20", ["ABC234", "XYZ789"], out)
    text = out.getvalue()
    assert "http://192.168.1.20:8866/?code=ABC234" in text
    assert "http://192.168.1.20:8866/?code=XYZ789" in text
    assert "█" in text or "▀" in text  # the QR code itself
    for code in ("ABC234", "XYZ789"):
        png = tmp_path / f"qr-{code}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_banner_without_open_workshop_says_so(tmp_path):
    out = io.StringIO()
    serve.print_banner(serve.ServeOptions(data=tmp_path, lang="en"), "10.0.0.5", [], out)
    assert "No workshop open" in out.getvalue() or "Aucune séance" in out.getvalue()
    assert (tmp_path / "qr.png").is_file()


def test_open_workshops_are_listed_from_the_store(tmp_path):
    code, _ = open_test_workshop(tmp_path)
    assert serve.open_workshop_codes(tmp_path) == [code]


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CoopkitError) as caught:
            serve.serve(serve.ServeOptions(data=tmp_path, port=port))
    assert caught.value.codes == ["port_in_use"]
    assert str(port) in caught.value.format("en")


@pytest.mark.parametrize("expect", ["0", "501"])
def test_expect_out_of_range_is_refused(expect, capsys):
    assert main(["serve", "--expect", expect, "--lang", "en"]) == 1
    assert "--expect" in capsys.readouterr().err


@pytest.mark.parametrize(("lang", "words"), [("fr", "participants attendus"),
                                              ("en", "participants expected")])
def test_help_in_both_languages(lang, words, capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help", "--lang", lang])
    out = capsys.readouterr().out
    assert "--expect" in out and "--port" in out
    assert words in " ".join(out.split())


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_ctrl_c_stops_voila_and_its_kernels(tmp_path):
    """SIGINT (Ctrl-C) in the terminal reaches ``coopkit serve`` only (Voilà runs in its
    own session); it stops Voilà with SIGTERM, and no kernel outlives it."""
    port = free_port()
    command = [sys.executable, "-m", "coopkit.cli", "serve", "--data", str(tmp_path),
               "--port", str(port), "--expect", "1", "--lang", "en"]
    with (tmp_path / "out.txt").open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        assert serve.wait_ready(port, deadline, lambda: proc.poll() is None)
        assert serve.kernel_processes(proc.pid), "the pool is starting"
        code, leftovers = stop_serve(proc, signal.SIGINT)
    finally:
        if proc.poll() is None:
            stop_serve(proc, signal.SIGKILL)
    text = (tmp_path / "out.txt").read_text()
    assert (code, leftovers) == (0, [])
    assert "Server stopped." in text
    assert "Traceback" not in text
    assert not serve.is_ready(port)


def test_one_instance_has_room_for_hundreds_of_kernels():
    """libzmq's 1023 sockets per context ran out at about 100 kernels on one instance
    (a third of a 200-arrival burst failed): the kernels' context takes far more."""
    import zmq
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from voila.app import Voila

    from coopkit.serving.voila_app import (
        MAX_SOCKETS,
        CoopkitVoila,
        WideKernelManager,
        raise_open_files_limit,
    )

    assert raise_open_files_limit() >= min(2 * MAX_SOCKETS, _hard_open_files_limit())

    def sockets_opened(manager, wanted: int = 1100) -> int:
        sockets = []
        try:
            for _ in range(wanted):  # more than libzmq's default allows
                sockets.append(manager.context.socket(zmq.PAIR))
        except zmq.ZMQError as exc:
            assert "Too many open files" in str(exc)
        finally:
            for sock in sockets:
                sock.close(linger=0)
            manager.context.term()
        return len(sockets)

    assert sockets_opened(AsyncMappingKernelManager()) == 1023  # what failed the burst
    assert sockets_opened(WideKernelManager()) == 1100

    for app_class, expected in ((CoopkitVoila, WideKernelManager), (Voila, None)):
        app = app_class()
        app.initialize(serve.voila_command(OPTIONS, python="python")[3:])
        chosen = app.voila_configuration.multi_kernel_manager_class
        if expected is not None:
            assert chosen is expected
        else:  # Voilà alone: the 1023-socket default this works around
            assert chosen is not WideKernelManager


def _hard_open_files_limit() -> int:
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return 1 << 30 if hard == resource.RLIM_INFINITY else hard
