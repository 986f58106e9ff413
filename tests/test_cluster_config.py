"""``coopkit cluster up`` without starting anything: the nginx files it writes (checked
by the real ``nginx -t``) and its refusals."""

from __future__ import annotations

import shutil

import pytest

from coopkit.cli import main
from coopkit.serving import cluster


def test_the_template_is_filled_in_and_its_comments_are_left_alone():
    template = cluster.SITE_TEMPLATE.read_text(encoding="utf-8")
    site = cluster.render_site(template, 9000, [9001, 9002], "coopkit.example.org")
    code = [line for line in site.splitlines() if not line.lstrip().startswith("#")]
    assert not any("@" in line and "@" in line.split("@", 1)[1] for line in code)
    assert "    server 127.0.0.1:9001 max_fails=1 fail_timeout=10s;" in code
    assert "    server 127.0.0.1:9002 max_fails=1 fail_timeout=10s;" in code
    assert "    listen 9000;" in code and "    server_name coopkit.example.org;" in code
    assert "#   @SERVERS@" in site  # the instructions for IT departments stay readable
    assert "ip_hash" not in "\n".join(code)


@pytest.mark.skipif(shutil.which("nginx") is None and cluster.find_nginx() is None,
                    reason="nginx not installed (apt-get install nginx)")
def test_nginx_accepts_the_files_written(tmp_path):
    opts = cluster.ClusterOptions(data=tmp_path, replicas=3, port=9100)
    main_file = cluster.write_nginx(opts)
    cluster.check_nginx(cluster.find_nginx(), main_file)  # raises on a refusal
    assert "include" in main_file.read_text() and "daemon off;" in main_file.read_text()


def test_a_bad_replica_count_is_refused_with_a_clear_message(tmp_path, capsys):
    assert main(["cluster", "up", "--replicas", "0", "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "--replicas vaut 0" in err and "entre 1 et 16" in err
    assert not (tmp_path / cluster.FOLDER).exists()  # nothing started, nothing written
