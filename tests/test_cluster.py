"""The team server on one machine: ``coopkit cluster up`` as real processes.

nginx (Debian's, run as an ordinary process) in front of two participant servers sharing
one PostgreSQL database of the test session; Debian's Chromium through Playwright for the
participants. Which instance served a request is read from nginx's ``X-Coopkit-Upstream``
header and its access log (``upstream=... route=...``, a websocket's line written when it
closes). Every wait is on a condition, bounded; nothing is timed here
(``benchmarks/cluster_burst.py`` measures).

The tests run in file order on one cluster: the last one kills an instance. (Every test
takes pytest-playwright's ``browser_name``, parametrized per browser: without it pytest
would run the browser-less tests after the browser ones.)
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from browser_fixtures import QUESTIONNAIRE, TIMEOUT_MS, join, launch
from playwright.sync_api import Page, expect

from coopkit import open_store
from coopkit.definitions.questionnaire import load
from coopkit.i18n import t
from coopkit.serving import cluster, serve

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parent.parent
_numbers = itertools.count()
#: Straight to 127.0.0.1, whatever ``http_proxy`` says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL (see tests/test_app_browser.py for why it is defined here)."""
    return None


@dataclass(frozen=True)
class Cluster:
    port: int
    code: str
    url: str
    data: Path
    proc: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def state(self) -> dict:
        return json.loads((self.data / cluster.FOLDER / cluster.STATE_FILE).read_text())

    def instance_pid(self, port: int) -> int:
        return next(i["pid"] for i in self.state["instances"] if i["port"] == port)

    @property
    def instance_ports(self) -> list[int]:
        return [i["port"] for i in self.state["instances"]]

    @property
    def output(self) -> str:
        return (self.data / "cluster.out").read_text(encoding="utf-8", errors="replace")

    def access_log(self) -> list[tuple[str, str, str]]:
        """(request, upstream port, route) of every line of nginx's access log."""
        text = (self.data / cluster.FOLDER / "nginx" / "access.log").read_text()
        found = re.findall(r'"([^"]*)" upstream=\S*?:(\d+)\S* route=(\S+)', text)
        return [(request, port, route) for request, port, route in found]


def wait_for(condition, timeout: float = 120.0, interval: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def free_block(size: int) -> int:
    """A first port of ``size`` consecutive free ones."""
    for start in range(21000 + os.getpid() % 5000, 65000, size + 7):
        if all(serve.port_free(p) for p in range(start, start + size)):
            return start
    raise AssertionError("no free ports")


@pytest.fixture(scope="module")
def team(postgres, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """``coopkit cluster up --replicas 2`` on a fresh database holding one open workshop."""
    if shutil.which("nginx") is None and cluster.find_nginx() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx not found (apt-get install nginx)")
        pytest.skip("nginx not found (apt-get install nginx)")
    name = f"coopkit_cluster_{os.getpid()}_{next(_numbers)}"
    url = postgres.create_database(name, template="coopkit_template")
    data = tmp_path_factory.mktemp("cluster-data")
    (data / "navigateur.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    with open_store(url) as store:
        project = store.create_project("Test grappe", purpose="cluster tests")
        code = store.open_workshop(project, load(data / "navigateur.yaml"), k=1).code
    port = free_block(3)
    proc = launch([sys.executable, "-m", "coopkit.cli", "cluster", "up", "--data", str(data),
                   "--port", str(port), "--replicas", "2", "--expect", "2",
                   "--fill-delay", "1", "--database-url", url], data / "cluster.out")
    team = Cluster(port, code, url, data, proc)
    try:
        ready = t("start.ready")
        assert wait_for(lambda: proc.poll() is not None or ready in team.output, 240), \
            team.output
        assert proc.poll() is None, team.output
        for instance in team.instance_ports:
            assert serve.wait_warm(team.instance_pid(instance), instance, serve.pool_size(2),
                                   time.monotonic() + 120), f"pool of :{instance} not ready"
        yield team
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(90)
        postgres.drop_database(name)


def get(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """(instance port, route cookie set) of one GET through nginx."""
    request = urllib.request.Request(url, headers={"Cookie": f"coopkit_route={cookie}"}
                                     if cookie else {})
    with _DIRECT.open(request, timeout=30) as resp:
        resp.read()
        upstream = resp.headers["X-Coopkit-Upstream"]
        found = re.search(r"coopkit_route=([^;]+)", resp.headers.get("Set-Cookie", ""))
    return upstream.rsplit(":", 1)[1], found.group(1) if found else None


def test_the_written_configuration_is_the_deploy_template(team: Cluster, browser_name: str):
    site = (team.data / cluster.FOLDER / "nginx" / "coopkit.conf").read_text()
    assert "hash $coopkit_route consistent;" in site
    assert "ip_hash" not in site.split("upstream", 1)[1].split("}", 1)[0]
    for instance in team.instance_ports:
        assert f"server 127.0.0.1:{instance} " in site
    assert "@SERVERS@" not in site.split("upstream", 1)[1]
    assert re.search(r"proxy_read_timeout\s+12h;", site)


def test_instances_listen_on_this_machine_only(team: Cluster, browser_name: str):
    """Behind nginx, an instance's port is not open to the network (``--bind``)."""
    import psutil

    for port in team.instance_ports:
        listening = {c.laddr.ip for c in psutil.Process(team.instance_pid(port))
                     .net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
        assert listening == {"127.0.0.1"}, (port, listening)


def test_a_browser_participant_stays_on_one_instance_across_reloads(page: Page,
                                                                     team: Cluster):
    documents: list[str] = []
    page.on("response", lambda r: documents.append(r.headers.get("x-coopkit-upstream", ""))
            if r.request.resource_type == "document" else None)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    join(page, urljoin(team.base, f"?code={team.code}"))
    page.get_by_role("radio", name="Oui", exact=True).check()
    expect(page.locator(".coopkit-saved")).to_contain_text("Réponse enregistrée",
                                                           timeout=TIMEOUT_MS)
    for _ in range(2):  # the address is now the resume link
        page.reload()
        expect(page.get_by_role("radio", name="Oui", exact=True)).to_be_checked(
            timeout=TIMEOUT_MS)
    route = next(c["value"] for c in page.context.cookies() if c["name"] == "coopkit_route")
    page.goto("about:blank")  # closes the last websocket: nginx logs it

    assert len(documents) == 3 and len(set(documents)) == 1, documents
    port = documents[0].rsplit(":", 1)[1]
    channels = [s for s in sockets if "/channels" in s]
    assert len(channels) >= 3, sockets

    def logged() -> list[tuple[str, str, str]]:
        return [line for line in team.access_log() if line[2] == route]

    assert wait_for(lambda: sum("/channels" in r for r, _, _ in logged()) >= len(channels),
                    60), logged()
    served = {(("channels" if "/channels" in r else "other"), p) for r, p, _ in logged()}
    assert served == {("channels", port), ("other", port)}, served


def test_forty_light_participants_spread_over_both_instances(team: Cluster,
                                                             browser_name: str):
    """40 HTTP clients with their own cookies (no kernel: the page's script), twice each."""
    page_script = urljoin(team.base, serve.READY_PATH)
    first = [get(page_script) for _ in range(40)]
    assert all(route for _, route in first)
    assert len({route for _, route in first}) == 40
    again = [get(page_script, route)[0] for _, route in first]
    assert again == [port for port, _ in first]  # each client stays where it was sent
    spread = Counter(port for port, _ in first)
    assert set(spread) == {str(p) for p in team.instance_ports}, spread
    assert min(spread.values()) >= 5, spread  # below 5 of 40: under 1 in a million


def test_kill_9_of_an_instance_loses_no_saved_answer(page: Page, team: Cluster):
    import psutil

    served: list[str] = []
    page.on("response", lambda r: served.append(r.headers.get("x-coopkit-upstream", ""))
            if r.request.resource_type == "document" else None)
    join(page, urljoin(team.base, f"?code={team.code}"))
    page.get_by_role("radio", name="Plutôt oui", exact=True).check()
    expect(page.locator(".coopkit-saved")).to_contain_text("Réponse enregistrée",
                                                           timeout=TIMEOUT_MS)
    href = page.locator("a.coopkit-resume-link").get_attribute("href") or ""
    token = re.search(r"resume=([^&]+)", href).group(1)
    remark = page.locator(".coopkit-item-text textarea")
    remark.fill("Gardez cette remarque")
    remark.blur()
    acknowledged = {"g1": 3, "g2": "Gardez cette remarque"}

    def stored() -> dict:
        with open_store(team.url) as store:
            return store.answers(token)

    assert wait_for(lambda: stored() == acknowledged, 30), stored()

    dead = int(served[-1].rsplit(":", 1)[1])
    voila = psutil.Process(team.instance_pid(dead))
    kernels = voila.children(recursive=True)
    for process in [voila, *kernels]:  # the machine's process dies, kernels with it
        process.send_signal(signal.SIGKILL)
    psutil.wait_procs([voila, *kernels], timeout=30)
    assert wait_for(lambda: t("cluster.carry_on") in team.output, 30), team.output

    page.goto(urljoin(team.base, href))  # the resume link, as the participant keeps it
    expect(page.locator(".coopkit-form")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("radio", name="Plutôt oui", exact=True)).to_be_checked()
    expect(page.locator(".coopkit-item-text textarea")).to_have_value("Gardez cette remarque")
    assert served[-1] != f"127.0.0.1:{dead}", served
    page.get_by_role("radio", name="Oui", exact=True).check()  # the form works there
    expect(page.locator(".coopkit-saved")).to_contain_text("Réponse enregistrée",
                                                           timeout=TIMEOUT_MS)
    with open_store(team.url) as store:
        assert store.answers(token) == {"g1": 4, "g2": "Gardez cette remarque"}
    assert team.proc.poll() is None  # the command carries on with the live instance
