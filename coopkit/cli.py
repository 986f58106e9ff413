"""The ``coopkit`` command.

Help texts are French by default, English with ``--lang en`` or ``COOPKIT_LANG=en``.
A user error prints a plain message (``FILE:LINE: ...``) and exits 1; it never shows a
Python traceback. Each subcommand lives in a small ``cmd_*`` function.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coopkit import config
from coopkit.errors import CoopkitError, fail
from coopkit.i18n import LANGUAGES, set_language, t, tn

if TYPE_CHECKING:
    from coopkit.serving import launch

Command = Callable[[argparse.Namespace], int]
NOTEBOOKS_DIR = config.NOTEBOOKS_DIR


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[override]
        prefix = t("cli.usage_prefix") if prefix is None else prefix
        super().add_usage(usage, actions, groups, prefix)


def _parser_kwargs() -> dict:
    return {"formatter_class": _Formatter, "add_help": False}


def _translate(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser._positionals.title = t("cli.positional")
    parser._optionals.title = t("cli.options")
    parser.add_argument("-h", "--help", action="help", help=t("cli.help.help"))
    return parser


def _server_options(parser: argparse.ArgumentParser) -> None:
    """--port and --expect, shared by ``serve`` and ``start``."""
    from coopkit.serving import serve

    parser.add_argument("--port", type=int, default=serve.DEFAULT_PORT, metavar="P",
                        help=t("cli.serve.port", default=serve.DEFAULT_PORT))
    parser.add_argument("--expect", type=int, default=serve.DEFAULT_EXPECT, metavar="N",
                        help=t("cli.serve.expect", default=serve.DEFAULT_EXPECT))


def _lab_port(parser: argparse.ArgumentParser) -> None:
    """--lab-port, shared by ``lab`` and ``start`` (the next free port if taken)."""
    from coopkit.serving import lab

    parser.add_argument("--lab-port", type=int, default=lab.DEFAULT_PORT, metavar="P",
                        help=t("cli.start.lab_port", default=lab.DEFAULT_PORT))


def _common(parser: argparse.ArgumentParser, *, data: bool = True) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, help=t("cli.lang.help"))
    if data:
        parser.add_argument("--data", metavar="DIR", help=t("cli.data.help"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with help texts in the language in force."""
    from coopkit.serving import present, serve  # their defaults appear in the help texts

    parser = _translate(argparse.ArgumentParser(
        prog="coopkit", description=t("cli.description"), **_parser_kwargs()))
    _common(parser, data=False)
    subs = parser.add_subparsers(dest="command", title=t("cli.commands"), metavar="COMMAND")

    p = _translate(subs.add_parser("validate", help=t("cli.validate.help"),
                                   description=t("cli.validate.help"), **_parser_kwargs()))
    p.add_argument("paths", nargs="+", metavar="PATH", help=t("cli.validate.paths"))
    _common(p, data=False)
    p.set_defaults(func=cmd_validate)

    p = _translate(subs.add_parser("lab", help=t("cli.lab.help"),
                                   description=t("cli.lab.help"), **_parser_kwargs()))
    _common(p)
    p.add_argument("--no-browser", action="store_true", help=t("cli.lab.no_browser"))
    _lab_port(p)
    p.set_defaults(func=cmd_lab)

    p = _translate(subs.add_parser("start", help=t("cli.start.help"),
                                   description=t("cli.start.help"), **_parser_kwargs()))
    _common(p)
    p.add_argument("--no-browser", action="store_true", help=t("cli.lab.no_browser"))
    _server_options(p)
    _lab_port(p)
    p.add_argument("--present-port", type=int, default=present.DEFAULT_PORT, metavar="P",
                   help=t("cli.start.present_port", default=present.DEFAULT_PORT))
    p.set_defaults(func=cmd_start)

    p = _translate(subs.add_parser("present", help=t("cli.present.help"),
                                   description=t("cli.present.help"), **_parser_kwargs()))
    _common(p)
    p.add_argument("--port", type=int, default=present.DEFAULT_PORT, metavar="P",
                   help=t("cli.serve.port", default=present.DEFAULT_PORT))
    p.add_argument("--app-port", type=int, default=serve.DEFAULT_PORT, metavar="P",
                   help=t("cli.present.app_port", default=serve.DEFAULT_PORT))
    p.add_argument("--participant-url", metavar="URL",
                   help=t("cli.present.participant_url"))
    # the team server's presenter (jupyter-server-proxy in a consultant's JupyterLab)
    p.add_argument("--socket", type=Path, metavar="PATH", help=t("cli.present.socket"))
    p.add_argument("--base-url", default="/", metavar="PATH", help=t("cli.present.base_url"))
    p.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)  # coopkit start
    p.set_defaults(func=cmd_present)

    p = _translate(subs.add_parser("demo", help=t("cli.demo.help"),
                                   description=t("cli.demo.help"), **_parser_kwargs()))
    _common(p)
    p.add_argument("--reset", action="store_true", help=t("cli.demo.reset"))
    p.set_defaults(func=cmd_demo)

    p = _translate(subs.add_parser("serve", help=t("cli.serve.help"),
                                   description=t("cli.serve.help"), **_parser_kwargs()))
    _common(p)
    _server_options(p)
    p.add_argument("--fill-delay", type=float, default=serve.DEFAULT_FILL_DELAY,
                   metavar="S", help=t("cli.serve.fill_delay",
                                       default=f"{serve.DEFAULT_FILL_DELAY:g}"))
    p.add_argument("--bind", default="0.0.0.0", metavar="ADDR", help=t("cli.serve.bind"))
    p.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)  # coopkit start
    p.set_defaults(func=cmd_serve)

    p = _translate(subs.add_parser("cluster", help=t("cli.cluster.help"),
                                   description=t("cli.cluster.help"), **_parser_kwargs()))
    p.add_argument("action", choices=["up"], help=t("cli.cluster.action"))
    _common(p)
    _server_options(p)
    p.add_argument("--replicas", type=int, default=2, metavar="N",
                   help=t("cli.cluster.replicas", default=2))
    p.add_argument("--database-url", metavar="URL", help=t("cli.cluster.database_url"))
    p.add_argument("--fill-delay", type=float, default=serve.DEFAULT_FILL_DELAY,
                   metavar="S", help=t("cli.serve.fill_delay",
                                       default=f"{serve.DEFAULT_FILL_DELAY:g}"))
    p.set_defaults(func=cmd_cluster)

    p = _translate(subs.add_parser("team", help=t("cli.team.help"),
                                   description=t("cli.team.help"), **_parser_kwargs()))
    p.add_argument("action", choices=["isolate", "add-consultant"],
                   help=t("cli.team.action"))
    p.add_argument("names", nargs="*", metavar="NAME", help=t("cli.team.names"))
    p.add_argument("--database-url", metavar="URL", help=t("cli.team.database_url"))
    _common(p, data=False)
    p.set_defaults(func=cmd_team)

    p = _translate(subs.add_parser("export", help=t("cli.export.help"),
                                   description=t("cli.export.description"),
                                   **_parser_kwargs()))
    p.add_argument("target", metavar="WORKSHOP_OR_PROJECT", help=t("cli.export.target"))
    p.add_argument("--format", dest="fmt", choices=("xlsx", "csv", "pdf", "docx"),
                   default=None,
                   help=t("cli.export.format"))
    p.add_argument("--out", required=True, metavar="FILE", help=t("cli.export.out"))
    p.add_argument("--sep", choices=(",", ";"), default=",", metavar="SEP",
                   help=t("cli.export.sep"))
    _common(p)
    p.set_defaults(func=cmd_export)

    p = _translate(subs.add_parser("import-xlsform", help=t("cli.import_xlsform.help"),
                                   description=t("cli.import_xlsform.description"),
                                   **_parser_kwargs()))
    p.add_argument("path", metavar="FILE.xlsx", help=t("cli.import_xlsform.path"))
    p.add_argument("--out", required=True, metavar="FILE.yaml",
                   help=t("cli.import_xlsform.out"))
    _common(p, data=False)
    p.set_defaults(func=cmd_import_xlsform)

    p = _translate(subs.add_parser("export-xlsform", help=t("cli.export_xlsform.help"),
                                   description=t("cli.export_xlsform.help"),
                                   **_parser_kwargs()))
    p.add_argument("path", metavar="QUESTIONNAIRE.yaml", help=t("cli.export_xlsform.path"))
    p.add_argument("--out", required=True, metavar="FILE.xlsx",
                   help=t("cli.export_xlsform.out"))
    _common(p, data=False)
    p.set_defaults(func=cmd_export_xlsform)

    p = _translate(subs.add_parser("fiches", help=t("cli.fiches.help"),
                                   description=t("cli.fiches.help"), **_parser_kwargs()))
    p.add_argument("--out", default=str(config.HANDOUTS_DIR), metavar="DIR",
                   help=t("cli.fiches.out"))
    _common(p, data=False)
    p.set_defaults(func=cmd_fiches)
    return parser


def cmd_fiches(args: argparse.Namespace) -> int:
    """Write the trainers' handouts (PDF, French and English)."""
    from coopkit.exports.handouts import write_handouts

    for path in write_handouts(args.out):
        print(t("cli.fiches.done", file=str(path)))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check questionnaire files; one summary line each, or ``FILE:LINE:`` problems."""
    from coopkit.definitions.questionnaire import load

    files: list[Path] = []
    for raw in args.paths:
        path = Path(raw)
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    failures = 0
    for path in files:
        try:
            q = load(path)
        except CoopkitError as exc:
            failures += len(exc.problems)
            print(exc.format(), file=sys.stdout)
            continue
        for warning in q.warnings:
            print(warning.format(), file=sys.stderr)
        sections, items = q.summary()
        print(t("cli.validate.ok", file=str(path), sections=tn("count.sections", sections),
                items=tn("count.questions", items),
                languages=", ".join(q.languages), hash=q.content_hash[:12]))
    if failures:
        print(tn("cli.validate.failed", failures), file=sys.stderr)
        return 1
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    """JupyterLab on the consultant's working copy of the notebooks, on this computer
    only; prints its address (with its token) once it answers, until Ctrl-C."""
    from coopkit.serving import launch

    data = config.data_dir(args.data)
    data.mkdir(parents=True, exist_ok=True)
    service, entry, notes = _lab_service(data, args.lab_port, args.lang, args.no_browser)
    return launch.supervise([service], [entry], [*notes, *_closing_notes(data)])


def _lab_service(data: Path, port: int, lang: str | None, no_browser: bool
                 ) -> tuple[launch.Service, tuple[str, str], list[str]]:
    """Refresh the working copy, start JupyterLab; its service, its address line and
    what to say about the copy."""
    from coopkit import working_copy
    from coopkit.serving import lab, launch

    free = lab.free_port_from(port)
    if free is None:
        raise fail("port_in_use", field="--lab-port", value=port)
    report = working_copy.refresh_working_copy(data)
    working_copy.refresh_reading(data)  # the guide and handouts the notebooks link to
    notes = [t("lab.kept", file=mine, new=new) for mine, new in report.kept]
    opts = lab.LabOptions(data=data, port=free, lang=lang, open_browser=not no_browser)
    token = lab.new_token()
    proc = lab.start_lab(opts, token)
    service = launch.Service(t("lab.name"), proc, lambda: lab.is_ready(free), opts.log)
    return service, (t("start.notebooks"), lab.lab_url(free, token)), notes


def _closing_notes(data: Path, logs: Sequence[str] = ()) -> list[str]:
    """Where the notebooks and logs are, and how to run other coopkit commands."""
    from coopkit.serving import lab

    notes = [t("start.folder", folder=config.working_copy_dir(data)),
             t("start.logs", logs=", ".join([str(data / lab.LOG_NAME), *logs]))]
    scripts = Path(sys.executable).parent
    found = shutil.which("coopkit")
    if found is None or Path(found).parent != scripts:
        notes.append(t("start.commands", activate=scripts / "activate"))
    notes.append(t("start.stop"))
    return notes


def cmd_start(args: argparse.Namespace) -> int:
    """Everything a consultant needs for a session, on the embedded SQLite store: the
    demo project (created once), the participant server, the presenter (localhost) and
    JupyterLab on the notebooks (localhost, with its token). One short block gives every
    address once they all answer; the servers' logs go to files. Ctrl-C or SIGTERM stops
    them all."""
    from coopkit.demo import DEMO_NAME, build_demo
    from coopkit.serving import launch, serve
    from coopkit.store import open_store

    data = config.data_dir(args.data)
    data.mkdir(parents=True, exist_ok=True)
    with open_store(data=str(data)) as store:
        project_id, created = build_demo(store)
        workshops = [w for w in store.workshops() if w.is_open]
    print(t("cli.demo.created" if created else "cli.demo.exists", name=DEMO_NAME,
            id=project_id, data=data))
    if not serve.port_free(args.port):
        raise fail("port_in_use", field="--port", value=args.port)
    if not _present_port_free(args.present_port):
        raise fail("port_in_use", field="--present-port", value=args.present_port)
    host = serve.lan_address()
    server = [sys.executable, "-m", "coopkit.cli", "serve", "--data", str(data),
              "--port", str(args.port), "--expect", str(args.expect), "--quiet"]
    if args.lang:
        server += ["--lang", args.lang]
    env = {**os.environ, config.DATA_ENV: str(data)}
    presenter = [sys.executable, "-m", "coopkit.cli", "present", "--data", str(data),
                 "--port", str(args.present_port), "--app-port", str(args.port), "--quiet"]
    presenter += ["--lang", args.lang] if args.lang else []
    os.environ[config.PRESENTER_URL_ENV] = _presenter_url(args.present_port)  # for 02_animer
    services: list[launch.Service] = []
    try:
        participants = subprocess.Popen(server, env=env, stdin=subprocess.DEVNULL)
        services.append(launch.Service(t("start.participants_name"), participants,
                                       lambda: serve.is_ready(args.port),
                                       data / serve.LOG_NAME))
        screen = subprocess.Popen(presenter, env=env, stdin=subprocess.DEVNULL)
        services.append(launch.Service(t("present.name"), screen,
                                       lambda: serve.is_ready(args.present_port),
                                       data / "present.log"))
        lab_service, lab_entry, notes = _lab_service(data, args.lab_port, args.lang,
                                                     args.no_browser)
        services.append(lab_service)
    except BaseException:
        launch.stop_all(services)
        raise
    entries = [lab_entry, (t("start.presenter"), _presenter_url(args.present_port))]
    entries.append((t("start.participants"), serve.participant_url(host, args.port)))
    opts = serve.ServeOptions(data=data, port=args.port)
    for workshop in workshops:
        url = serve.participant_url(host, args.port, workshop.code)
        entries.append((t("start.workshop", code=workshop.code, wave=workshop.wave,
                          questionnaire=workshop.questionnaire_id), url))
    pngs = [serve.save_qr_png(serve.participant_url(host, args.port, code), png)
            for code, png in serve.qr_targets(opts, [w.code for w in workshops])]
    notes += [t("serve.no_network")] if host.startswith("127.") else []
    notes += [] if workshops else [t("serve.no_workshop")]
    notes.append(t("start.qr", files=", ".join(str(p) for p in pngs)))
    return launch.supervise(services, entries, [*notes, *_closing_notes(
        data, [str(data / serve.LOG_NAME), str(data / "present.log")])])


def _present_port_free(port: int) -> bool:
    from coopkit.serving.present import port_free

    return port_free(port)


def _presenter_url(port: int) -> str:
    from coopkit.serving.present import presenter_url

    return presenter_url(port)


def cmd_demo(args: argparse.Namespace) -> int:
    """Create the demo project in the data folder (kept if present, unless --reset)."""
    from coopkit.demo import DEMO_NAME, build_demo
    from coopkit.store import open_store

    data = config.data_dir(args.data)
    data.mkdir(parents=True, exist_ok=True)
    with open_store(data=str(data)) as store:
        project_id, created = build_demo(store, reset=args.reset)
    key = "cli.demo.created" if created else "cli.demo.exists"
    print(t(key, name=DEMO_NAME, id=project_id, data=data))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the participant app on the local network until Ctrl-C or SIGTERM."""
    from coopkit.serving import serve

    if not 1 <= args.expect <= serve.MAX_EXPECT:
        raise fail("expect_invalid", field="--expect", value=args.expect)
    options = serve.ServeOptions(data=config.data_dir(args.data), port=args.port,
                                 expect=args.expect, fill_delay=max(args.fill_delay, 0.0),
                                 lang=args.lang, quiet=args.quiet, bind=args.bind)
    return serve.serve(options)


def cmd_cluster(args: argparse.Namespace) -> int:
    """``cluster up``: nginx, N participant servers and PostgreSQL on this machine."""
    from coopkit.serving import cluster, serve

    if not 1 <= args.expect <= serve.MAX_EXPECT:
        raise fail("expect_invalid", field="--expect", value=args.expect)
    options = cluster.ClusterOptions(
        data=config.data_dir(args.data), replicas=args.replicas, port=args.port,
        database_url=args.database_url or os.environ.get(config.DATABASE_ENV),
        expect=args.expect, fill_delay=max(args.fill_delay, 0.0), lang=args.lang)
    return cluster.up(options)


def cmd_team(args: argparse.Namespace) -> int:
    """``team isolate``: row-level security on; ``team add-consultant NAME...``: roles."""
    from coopkit.store import open_store, tenancy

    url = args.database_url or os.environ.get(config.DATABASE_ENV)
    if not url:
        raise fail("team_database_missing", field="--database-url")
    if args.action == "isolate":
        with open_store(url):  # the schema first, created or migrated by its owner
            pass
        tables = tenancy.enable(url)
        print(tn("cli.team.isolated", len(tables)))
        return 0
    if not args.names:
        raise fail("team_names_missing", field="NAME")
    for name in args.names:
        tenancy.add_consultant(url, name)
        print(t("cli.team.added", name=name, group=tenancy.CONSULTANTS))
    return 0


def cmd_present(args: argparse.Namespace) -> int:
    """Serve the presenter (the projected screens) on this computer until Ctrl-C."""
    from coopkit.serving import present

    options = present.PresentOptions(data=config.data_dir(args.data), port=args.port,
                                     app_port=args.app_port, lang=args.lang,
                                     quiet=args.quiet, socket=args.socket,
                                     base_url=args.base_url,
                                     participant_url=args.participant_url)
    return present.present(options)


def cmd_export(args: argparse.Namespace) -> int:
    """Export a workshop or a project to Excel, CSV, a PDF report, or the method's Word
    documents (``--format docx``: the three plans and the responsibility matrix in the
    folder ``--out``)."""
    from coopkit.exports.write import export
    from coopkit.store import open_store

    data = config.data_dir(args.data)
    with open_store(data=str(data)) as store:
        out = export(store, args.target, args.out, fmt=args.fmt, lang=args.lang,
                     sep=args.sep)
    for path in out if isinstance(out, list) else [out]:
        print(t("cli.export.done", file=path))
    return 0


def cmd_import_xlsform(args: argparse.Namespace) -> int:
    """Turn an XLSForm workbook into a questionnaire YAML file (validated first)."""
    from coopkit.definitions.xlsform import parse_sheets, read_sheets, write_yaml

    questionnaire, mapping = parse_sheets(read_sheets(args.path), args.path)
    for warning in questionnaire.warnings:
        print(warning.format(), file=sys.stderr)
    out = write_yaml(mapping, args.out, comment=t("cli.import_xlsform.comment",
                                                  file=Path(args.path).name))
    sections, items = questionnaire.summary()
    print(t("cli.import_xlsform.done", file=out, sections=tn("count.sections", sections),
            items=tn("count.questions", items),
            hash=questionnaire.content_hash[:12]))
    return 0


def cmd_export_xlsform(args: argparse.Namespace) -> int:
    """Write a questionnaire as an XLSForm workbook."""
    from coopkit.definitions.questionnaire import load
    from coopkit.definitions.xlsform import write_xlsform

    out = write_xlsform(load(args.path), args.out)
    print(t("cli.export_xlsform.done", file=out))
    return 0


def _language_from(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coopkit`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from(args_list))
    parser = build_parser()
    args = parser.parse_args(args_list)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CoopkitError as exc:
        for warning in exc.warnings:  # said as warnings, not under « Erreur »
            print(warning.format(), file=sys.stderr)
        errors = exc.errors or list(exc.problems)
        print(t("cli.error", message="\n".join(p.format() for p in errors)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    finally:
        set_language(None)


if __name__ == "__main__":
    sys.exit(main())
