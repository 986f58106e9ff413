# JupyterHub for the consultants of a team server: each consultant logs in, gets their
# own JupyterLab on their own working copy of coopkit's notebooks, and reaches the shared
# PostgreSQL database as their own role, which row-level security confines to their
# projects (coopkit team isolate / add-consultant; docs/deploy.md, coopkit/store/tenancy.py).
#
#   jupyterhub -f /etc/coopkit/jupyterhub_config.py
#
# Everything a site changes comes from the environment (systemd unit
# deploy/systemd/coopkit-hub.service), so this file is installed as it is:
#   COOPKIT_HUB_ROOT          the hub's state folder (database, cookie secret); /var/lib/coopkit-hub
#   COOPKIT_HUB_URL           where the hub listens (nginx puts HTTPS in front); http://127.0.0.1:8000
#   COOPKIT_HUB_CONSULTANTS   the logins allowed, comma-separated: "alice,bob"
#   COOPKIT_HUB_ADMINS        the logins that administer the hub (optional)
#   COOPKIT_HUB_DATABASE_URL  the consultants' database URL, {username} standing for the
#                             login: postgresql+psycopg://{username}@/coopkit?host=/run/postgresql
#                             (peer authentication on the Unix socket: no password anywhere)
#   COOPKIT_HUB_AUTH          pam (default: the server's local accounts) | dummy (tests only)
#   COOPKIT_HUB_SPAWNER       local (default: each JupyterLab runs as its consultant's system
#                             account) | simple (tests only: every JupyterLab as the hub's user)
#   COOPKIT_HUB_PROXY         the configurable-http-proxy program (npm); default: the
#                             checkout's node_modules/.bin, else the PATH
#   COOPKIT_HUB_PARTICIPANT_URL  the participants' public address (nginx in front of the
#                             participant servers), for the presenter's QR code:
#                             https://cooperation.chu-exemple.fr/
#
# Each consultant's presenter (the projected screen) is served by their own JupyterLab
# at /user/<login>/coopkit-presenter/ (jupyter-server-proxy; a tile in the launcher),
# behind the hub's login like the rest of their server: `coopkit present` on a Unix
# socket in a folder only their account opens, its kernel reading the database as their
# role (coopkit/serving/present.py, proxy_servers).
#
# LDAP / Active Directory, or OIDC (Keycloak, Azure AD): see docs/deploy.md, « Comptes des
# consultants » (ldapauthenticator / oauthenticator's GenericOAuthenticator); the rest of
# this file stays as it is.
# ruff: noqa: F821  (get_config is given by JupyterHub)

import os
import pwd
import shutil
import sys
from pathlib import Path

c = get_config()

ROOT = Path(os.environ.get("COOPKIT_HUB_ROOT", "/var/lib/coopkit-hub"))
ROOT.mkdir(parents=True, exist_ok=True)
CHECKOUT = Path(__file__).resolve().parents[2]
CONSULTANTS = {n.strip() for n in os.environ.get("COOPKIT_HUB_CONSULTANTS", "").split(",")
               if n.strip()}
DATABASE_URL = os.environ.get("COOPKIT_HUB_DATABASE_URL", "")
AUTH = os.environ.get("COOPKIT_HUB_AUTH", "pam")
SPAWNER = os.environ.get("COOPKIT_HUB_SPAWNER", "local")
PARTICIPANT_URL = os.environ.get("COOPKIT_HUB_PARTICIPANT_URL", "")

# --- the hub itself
c.JupyterHub.bind_url = os.environ.get("COOPKIT_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"  # the hub's API: this machine only
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(ROOT / "jupyterhub-proxy.pid")
proxy = os.environ.get("COOPKIT_HUB_PROXY") or next(
    (str(p) for p in [CHECKOUT / "node_modules" / ".bin" / "configurable-http-proxy"]
     if p.is_file()), shutil.which("configurable-http-proxy") or "configurable-http-proxy")
c.ConfigurableHTTPProxy.command = [proxy]
c.JupyterHub.shutdown_on_logout = True  # a consultant who logs out frees their server
c.JupyterHub.cleanup_servers = True

# --- who may log in
if AUTH == "dummy":
    # TESTS ONLY: one shared password for every allowed login (tests/test_hub.py)
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["COOPKIT_HUB_TEST_PASSWORD"]
else:
    c.JupyterHub.authenticator_class = "pam"  # the server's local accounts (or sssd: AD)
c.Authenticator.allowed_users = CONSULTANTS
c.Authenticator.admin_users = {n.strip() for n in
                               os.environ.get("COOPKIT_HUB_ADMINS", "").split(",") if n.strip()}

# --- each consultant's JupyterLab
if SPAWNER == "simple":
    # TESTS ONLY: every server as the hub's own user, in ROOT/users/<login>
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(ROOT / "users" / "{username}")
else:
    c.JupyterHub.spawner_class = "localprocess"  # as the consultant's system account
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/carnets"
c.Spawner.http_timeout = 120  # JupyterLab starts slowly on a busy server
c.Spawner.start_timeout = 180


def home(spawner) -> Path:
    if SPAWNER == "simple":
        return ROOT / "users" / spawner.user.name
    return Path(pwd.getpwnam(spawner.user.name).pw_dir)


def prepare(spawner) -> None:
    """Before each start: the consultant's data folder, a fresh working copy of the
    notebooks (their own edits kept), JupyterLab's defaults, and their database role."""
    from coopkit import config
    from coopkit.serving import lab, present
    from coopkit.working_copy import refresh_working_copy

    data = home(spawner) / "coopkit-data"
    data.mkdir(parents=True, exist_ok=True)
    refresh_working_copy(data)
    lang = os.environ.get("COOPKIT_LANG", "fr")
    options = lab.LabOptions(data=data, lang=lang)
    lab.write_settings(options)
    env = lab.lab_env(options, token="", base={})
    for name in ("JUPYTER_TOKEN", "PATH"):  # the hub gives its own token; PATH: the hub's
        env.pop(name, None)
    if DATABASE_URL:
        env["COOPKIT_DATABASE_URL"] = DATABASE_URL.format(username=spawner.user.name)
    if PARTICIPANT_URL:
        env[config.PARTICIPANT_URL_ENV] = PARTICIPANT_URL
    # 02_animer's link to the presenter: this consultant's, through the hub
    env[config.PRESENTER_URL_ENV] = f"{spawner.user.url}{present.PROXY_NAME}/"
    spawner.environment.update(env)
    spawner.args = [
        f"--ServerApp.root_dir={data}",
        "--ContentsManager.preferred_dir=carnets",
        # no Voilà server extension: a page served that way can run any code
        "--ServerApp.jpserver_extensions={'voila.server_extension': False}",
        *(f"--ContentsManager.hide_globs={glob}" for glob in lab.HIDDEN_FILES),
        # the presenter at /user/<login>/coopkit-presenter/ (jupyter-server-proxy)
        f"--ServerProxy.servers={present.proxy_servers(lang)!r}",
    ]
    if SPAWNER == "simple" and os.geteuid() == 0:
        spawner.args.append("--allow-root")  # CI runs as root
    if SPAWNER != "simple":  # the files belong to the consultant, not to the hub (root)
        account = pwd.getpwnam(spawner.user.name)
        for path in [data, *data.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)


c.Spawner.pre_spawn_hook = prepare
