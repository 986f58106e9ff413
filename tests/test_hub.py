"""JupyterHub with deploy/jupyterhub/jupyterhub_config.py, as real processes.

The hub, its configurable-http-proxy (npm, ``npm ci``) and two consultants, ``alice`` and
``bob``, logging in through the hub's login form (the test-only ``dummy`` authenticator:
one password; production uses PAM, docs/deploy.md) and each getting their own
JupyterLab (the hub's ``simple`` spawner: same system user, a home folder each) on
their own working copy of coopkit's notebooks, with a database URL naming their own
role: the one the row-level security of tests/test_tenancy.py confines. Code run in each
consultant's own kernel (raw SQL with psycopg, and coopkit's API) sees only their project.

Each consultant's presenter is reached through the hub, at
``/user/<login>/coopkit-presenter/`` (jupyter-server-proxy in their JupyterLab, Voilà
on a Unix socket only their account opens): in Chromium, alice logs in and sees her open
workshop's welcome screen, its QR code (read by zbar) giving the team's participant
address, and its count move when a participant joins (the widgets' websocket crosses
the hub's proxy); bob, logged in, is refused alice's presenter and sees his own.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
HUB = Path(sys.executable).parent / "jupyterhub"
CONSULTANTS = ("alice", "bob")
#: The participants' public address the hub gives the presenters (nginx in production).
PARTICIPANTS = "https://participants.exemple.test/"
QUESTIONNAIRE = ROOT / "questionnaires" / "ressentis.yaml"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 180.0, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(interval)
    return condition()


@pytest.fixture(scope="module")
def team_database(postgres) -> Iterator[str]:
    """A database with the isolation on, a role and a project for each consultant;
    returns its URL with ``{username}`` for the role, as the hub's setting takes it."""
    from coopkit import open_store
    from coopkit.store import tenancy

    name = f"coopkit_hub_{os.getpid()}"
    owner = postgres.create_database(name, template="coopkit_template")
    tenancy.enable(owner)
    template = owner.replace("://postgres@", "://{username}@")
    for person in CONSULTANTS:
        tenancy.add_consultant(owner, person)
        with open_store(template.format(username=person)) as store:
            store.create_project(f"Projet de {person}")
    try:
        yield template
    finally:
        postgres.drop_database(name)
        import psycopg

        with psycopg.connect(dbname="postgres", user="postgres", host=str(postgres.root),
                             port=postgres.port, autocommit=True) as conn:
            for person in CONSULTANTS:
                conn.execute(f'DROP ROLE IF EXISTS "{person}"')


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, team_database: str) -> Iterator[dict]:
    for needed, how in ((PROXY, "npm ci"), (HUB, "pip install '.[test]'")):
        if not needed.exists():
            if os.environ.get("CI"):
                pytest.fail(f"{needed} not found ({how})")
            pytest.skip(f"{needed} not found ({how})")
    root = tmp_path_factory.mktemp("hub")
    port, password = free_port(), secrets.token_urlsafe(12)
    env = {**os.environ, "COOPKIT_HUB_ROOT": str(root),
           "COOPKIT_HUB_URL": f"http://127.0.0.1:{port}",
           "COOPKIT_HUB_AUTH": "dummy", "COOPKIT_HUB_SPAWNER": "simple",
           "COOPKIT_HUB_TEST_PASSWORD": password,
           "COOPKIT_HUB_CONSULTANTS": ",".join(CONSULTANTS),
           "COOPKIT_HUB_DATABASE_URL": team_database,
           "COOPKIT_HUB_PARTICIPANT_URL": PARTICIPANTS,
           "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    env.pop("COOPKIT_DATABASE_URL", None)
    log = root / "hub.log"
    with log.open("w") as out:
        # the hub's API port too: a free one, not 8081 that another run may hold
        proc = subprocess.Popen([str(HUB), "-f", str(CONFIG),
                                 f"--JupyterHub.hub_port={free_port()}"],
                                cwd=str(root), env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        def up() -> bool:
            try:
                return requests.get(f"{base}/hub/api", timeout=2).status_code == 200
            except requests.RequestException:
                return proc.poll() is not None

        assert wait_for(up, 120) and proc.poll() is None, log.read_text()[-3000:]
        yield {"base": base, "password": password, "root": root, "log": log, "proc": proc}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # cleanup_servers: the users' servers stop too
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(root / "users", ignore_errors=True)


def login(hub: dict, name: str, password: str | None = None):
    import requests

    session = requests.Session()
    session.trust_env = False  # straight to 127.0.0.1, whatever http_proxy says
    form = session.get(f"{hub['base']}/hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text)
    data = {"username": name, "password": password or hub["password"]}
    if xsrf:
        data["_xsrf"] = xsrf.group(1)
    done = session.post(f"{hub['base']}/hub/login?next=", data=data, timeout=60)
    return session, done


def test_two_consultants_log_in_and_get_their_own_jupyterlab(hub: dict):
    import psutil

    sessions = {}
    for name in CONSULTANTS:
        session, done = login(hub, name)
        assert done.status_code == 200 and "jupyterhub-session-id" in session.cookies, \
            hub["log"].read_text()[-2000:]
        sessions[name] = session

    def contents(name: str):
        # the browser's way in: the lab page, through the hub's OAuth (cookie of the server)
        lab = sessions[name].get(f"{hub['base']}/user/{name}/lab", timeout=60)
        if lab.status_code != 200 or f"/user/{name}/lab" not in lab.url:
            return None
        response = sessions[name].get(f"{hub['base']}/user/{name}/api/contents/carnets",
                                      timeout=30)
        return response.json() if response.status_code == 200 else None

    for name in CONSULTANTS:
        spawn(hub, sessions[name], name)
    for name in CONSULTANTS:
        listing = wait_for(lambda n=name: contents(n), 180)
        assert listing, hub["log"].read_text()[-3000:]
        notebooks = {item["name"] for item in listing["content"]}
        assert any(n.endswith(".ipynb") for n in notebooks), notebooks  # coopkit's

    # each server is its own process, with its own folder and its own database role
    servers = {}
    for process in psutil.process_iter(["cmdline"]):
        try:
            if any("jupyterhub-singleuser" in part for part in process.info["cmdline"] or []):
                environ = process.environ()
                if environ.get("JUPYTERHUB_USER") and str(hub["root"]) in environ.get(
                        "COOPKIT_DATA", ""):
                    servers[environ["JUPYTERHUB_USER"]] = environ
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    assert set(servers) == set(CONSULTANTS), servers.keys()
    for name, environ in servers.items():
        assert environ["COOPKIT_DATABASE_URL"].startswith(f"postgresql+psycopg://{name}@")
        # the consultant's notebook: raw SQL and coopkit's API see their project only
        assert run_in_kernel(hub, sessions[name], name, RAW_SQL).split() == [
            f"sql:Projet_de_{name}", f"api:Projet_de_{name}"]
        assert environ["COOPKIT_DATA"] == str(hub["root"] / "users" / name / "coopkit-data")
        assert environ["COOPKIT_LANG"] == "fr"
    # bob cannot open alice's JupyterLab
    other = sessions["bob"].get(f"{hub['base']}/user/alice/api/contents/carnets",
                                timeout=30, allow_redirects=True)
    assert other.status_code in (403, 404) or "/user/alice/api" not in other.url


def spawn(hub: dict, session, name: str) -> None:
    """Ask the hub to start ``name``'s JupyterLab (nothing if it runs already)."""
    # the hub's XSRF cookie (the user's server, once visited, sets its own under /user/)
    xsrf = next((c.value for c in session.cookies
                 if c.name == "_xsrf" and not c.path.startswith("/user/")), "")
    session.post(f"{hub['base']}/hub/api/users/{name}/server", timeout=60,
                 headers={"Referer": f"{hub['base']}/hub/home", "X-XSRFToken": xsrf})
    session.get(f"{hub['base']}/hub/spawn/{name}", timeout=60)


RAW_SQL = """
import os, psycopg
from sqlalchemy.engine import make_url
from coopkit import open_store
u = make_url(os.environ["COOPKIT_DATABASE_URL"])
with psycopg.connect(dbname=u.database, user=u.username, host=u.query["host"],
                     port=u.query["port"]) as conn:
    for (name,) in conn.execute("SELECT name FROM projects ORDER BY id"):
        print("sql:" + name.replace(" ", "_"))
with open_store() as store:
    for project in store.projects():
        print("api:" + project.name.replace(" ", "_"))
"""


def run_in_kernel(hub: dict, session, name: str, code: str) -> str:
    """Run ``code`` in a new kernel of ``name``'s JupyterLab (through the hub's proxy,
    with the session's cookies, as the browser does); returns what it printed."""
    import json
    import uuid

    from websockets.sync.client import connect

    base = f"{hub['base']}/user/{name}"
    xsrf = session.cookies.get("_xsrf", path=f"/user/{name}/") or session.cookies.get(
        "_xsrf", "")
    kernel = session.post(f"{base}/api/kernels", json={"name": "python3"}, timeout=60,
                          headers={"X-XSRFToken": xsrf})
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    msg_id = uuid.uuid4().hex
    printed = []
    try:
        with connect(f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels",
                     additional_headers={"Cookie": cookies}, open_timeout=60) as ws:
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request",
                           "username": name, "session": uuid.uuid4().hex, "date": "",
                           "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False,
                            "user_expressions": {}, "allow_stdin": False}}))
            while True:
                msg = json.loads(ws.recv(timeout=120))
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    printed.append(msg["content"]["text"])
                elif kind == "error":
                    printed.append("ERROR " + msg["content"]["ename"] + " "
                                   + msg["content"]["evalue"])
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
    finally:
        session.delete(f"{base}/api/kernels/{kernel_id}", headers={"X-XSRFToken": xsrf},
                       timeout=60)
    return "".join(printed)


def test_a_wrong_password_or_an_unknown_login_is_refused(hub: dict):
    for name, password in (("alice", "faux"), ("mallory", None)):
        session, _ = login(hub, name, password)
        assert session.get(f"{hub['base']}/hub/api/user", timeout=30).status_code == 403


@pytest.fixture(scope="module")
def open_workshops(team_database: str) -> dict[str, dict]:
    """An open workshop in each consultant's project, opened as that consultant."""
    from coopkit import open_store
    from coopkit.definitions.questionnaire import load

    made = {}
    for person in CONSULTANTS:
        with open_store(team_database.format(username=person)) as store:
            (project,) = store.projects()
            workshop = store.open_workshop(project.id, load(QUESTIONNAIRE), k=5)
            made[person] = {"id": workshop.id, "code": workshop.code}
    return made


@pytest.mark.browser
@pytest.mark.timeout(400)
def test_each_consultant_reaches_their_own_presenter_through_the_hub(
        hub: dict, open_workshops: dict, team_database: str, browser, tmp_path: Path):
    from browser_fixtures import decoded_qr, require_zbar
    from playwright.sync_api import expect

    from coopkit import open_store

    require_zbar()
    sessions = {}
    for name in CONSULTANTS:
        sessions[name], _ = login(hub, name)
        spawn(hub, sessions[name], name)

    def presenter(viewer: str, owner: str):
        response = sessions[viewer].get(
            f"{hub['base']}/user/{owner}/coopkit-presenter/", timeout=150)
        return response if f"/user/{owner}/coopkit-presenter/" in response.url else None

    # alice's presenter starts on her first visit, behind her server's login
    page = wait_for(lambda: (lambda r: r if r is not None and r.status_code == 200
                             else None)(presenter("alice", "alice")), 240)
    assert page is not None, hub["log"].read_text()[-3000:]
    assert "voila" in page.text.lower()
    # JupyterLab's launcher offers it, in French, with its icon
    info = sessions["alice"].get(f"{hub['base']}/user/alice/server-proxy/servers-info",
                                 timeout=60).json()["server_processes"]
    (tile,) = [item for item in info if item["name"] == "coopkit-presenter"]
    assert tile["launcher_entry"]["title"] == "Présentateur (écran projeté)"
    assert tile["new_browser_tab"] and tile["launcher_entry"]["icon_url"]
    # bob, logged in, may not open it: his cookie is not alice's server's
    refused = presenter("bob", "alice")
    assert refused is None or refused.status_code in (403, 404), refused.text[:500]

    owner_url = team_database.format(username="postgres")
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    try:
        for name, other in (("alice", "bob"), ("bob", "alice")):
            mine = open_workshops[name]
            screen = context.new_page()
            # the hub's login form, then straight on to the presenter
            screen.goto(f"{hub['base']}/hub/login?next=/user/{name}/coopkit-presenter/"
                        f"%3Fworkshop%3D{mine['id']}", timeout=120_000)
            screen.fill("input[name=username]", name)
            screen.fill("input[name=password]", hub["password"])
            screen.click("input[type=submit], button[type=submit]")
            welcome = screen.locator(".cp-screen-welcome")
            expect(welcome).to_be_visible(timeout=180_000)
            assert f"/user/{name}/coopkit-presenter/" in screen.url
            expect(welcome).to_contain_text(mine["code"])
            assert open_workshops[other]["code"] not in screen.content()
            # the QR code: the team's participant address, not this machine's
            shot = tmp_path / f"{name}.png"
            screen.screenshot(path=str(shot))
            assert decoded_qr(shot) == f"{PARTICIPANTS}?code={mine['code']}"
            # live through the hub: a participant joins, the count moves by itself
            joined = screen.locator(".cp-total b").nth(0)
            expect(joined).to_have_text("0")
            with open_store(owner_url) as server:  # the participant servers' role
                server.join(mine["code"], "direction_generale")
            # one person, under the workshop's k = 5: the count says so, not "1"
            expect(joined).to_have_text("< 5", timeout=30_000)
            # bob's presenter shows bob's workshop only, even when asked for alice's
            if name == "bob":
                screen.goto(f"{hub['base']}/user/bob/coopkit-presenter/"
                            f"?workshop={open_workshops['alice']['id']}", timeout=120_000)
                screen.wait_for_selector(".coopkit-present-message, .cp-screen-welcome",
                                         timeout=120_000)
                assert open_workshops["alice"]["code"] not in screen.content()
            # the context logs out: the other consultant logs in on the same browser
            screen.goto(f"{hub['base']}/hub/logout", timeout=60_000)
            screen.close()
            context.clear_cookies()
    finally:
        context.close()
