"""coopkit's Voilà page template: found by Voilà, its texts in both languages, and its
built assets (``npm run build``, committed) the ones its sources build."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coopkit.i18n import LANGUAGES, texts
from coopkit.serving import serve, voila_app

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "coopkit" / "serving" / "frontend" / "build.mjs"
ESBUILD = ROOT / "node_modules" / "esbuild"


def test_the_built_assets_are_those_the_sources_build():
    """A change to coopkit/serving/frontend/ (or to a locked npm package) without
    ``npm run build`` would ship a page that is not the reviewed code."""
    node = shutil.which("node")
    if node is None or not ESBUILD.is_dir():
        message = "node or node_modules/esbuild missing (apt-get install npm; npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run([node, str(BUILD), "--check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_asset_has_its_gzip_twin():
    for name in ("coopkit.js", "coopkit.css"):
        plain = serve.TEMPLATE_STATIC / name
        packed = serve.TEMPLATE_STATIC / f"{name}.gz"
        assert plain.is_file() and packed.is_file()
        assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
        assert packed.stat().st_size < plain.stat().st_size / 3


def test_voila_finds_the_template_through_jupyter_path():
    env = {"JUPYTER_PATH": "/somewhere/else"}
    voila_app.use_coopkit_templates(env)
    voila_app.use_coopkit_templates(env)  # once only
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(voila_app.SHARE), "/somewhere/else"]
    code = ("import sys; from coopkit.serving import voila_app; "
            "voila_app.use_coopkit_templates(); "
            "from voila.paths import collect_template_paths; "
            "print(collect_template_paths(['voila', 'nbconvert'], 'coopkit', prune=True)[0])")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=120).stdout.strip()
    assert Path(found) == voila_app.SHARE / "voila" / "templates" / "coopkit"
    assert (Path(found) / "index.html.j2").is_file()


def test_the_command_serves_coopkits_page_unless_told_otherwise():
    options = serve.ServeOptions(data=Path("/tmp/coopkit-test-data"))
    assert "--template=coopkit" in serve.voila_command(options)
    lab = serve.ServeOptions(data=Path("/tmp/coopkit-test-data"), template="lab")
    assert "--template=lab" in serve.voila_command(lab)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_texts_exist_in_both_languages(lang):
    page = voila_app.page_resources(lang)
    assert page["lang"] == lang
    wanted = {"title", "loading", "failed", "reconnecting", "disconnected", "lost",
              "released", "reload", "noscript", "error_title", "error", "not_found_title",
              "not_found"}
    assert wanted <= set(page["texts"]) == set(texts("page", lang))
    assert all(page["texts"][key].strip() for key in wanted)
    if lang == "fr":
        assert page["texts"]["loading"] == "Préparation de votre questionnaire…"
