"""The local Neo4j launcher against a real Neo4j 5.26: auth, one port, clean stop,
data on disk, no orphan JVM."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
import uuid
import zipfile
from pathlib import Path

import neo4j
import psutil
import pytest
from neo4j.exceptions import AuthError

from graphinv.neo4j_local import Neo4jLaunchError, ensure_built, start

ROOT = Path(__file__).resolve().parents[1]


def _listening_ports(pid: int) -> set[tuple[str, int]]:
    return {
        (c.laddr.ip, c.laddr.port)
        for c in psutil.Process(pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    }


@pytest.mark.neo4j
def test_local_neo4j_auth_single_port_clean_stop_and_persistence(tmp_path):
    data = tmp_path / "neo4j"
    password = "graphinv-test-" + uuid.uuid4().hex[:12]
    uid = f"smoke:{uuid.uuid4().hex}"

    server = start(data_dir=data, password=password)
    try:
        assert server.uri == f"bolt://127.0.0.1:{server.port}"
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, password)) as driver:
            driver.execute_query("CREATE (:GraphinvSmoke {uid: $uid, n: 42})", uid=uid)
            records, _, _ = driver.execute_query("MATCH (s:GraphinvSmoke {uid: $uid}) RETURN s.n AS n", uid=uid)
            assert [r["n"] for r in records] == [42]

        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, password + "-wrong")) as bad:
            with pytest.raises(AuthError):
                bad.verify_connectivity()

        # Only Bolt, only on loopback: no HTTP(S) 7474/7473, no routing 7688.
        listening = _listening_ports(server.process.pid)
        assert {port for _, port in listening} == {server.port}
        assert all(ip in ("127.0.0.1", "::ffff:127.0.0.1") for ip, _ in listening)
    finally:
        code = server.stop()

    # SIGTERM makes the JVM run its shutdown hooks and then exit 143 (128 + 15); the
    # hook's last line proves Neo4j itself shut down (checkpointed) before that.
    assert code in (0, 143)
    assert server.stopped_cleanly()
    assert (data / "data" / "databases" / "neo4j").is_dir()

    again = start(data_dir=data, password=password)
    try:
        with neo4j.GraphDatabase.driver(again.uri, auth=(again.user, password)) as driver:
            records, _, _ = driver.execute_query("MATCH (s:GraphinvSmoke {uid: $uid}) RETURN s.n AS n", uid=uid)
            assert [r["n"] for r in records] == [42]
    finally:
        assert again.stop() in (0, 143)
    assert again.stopped_cleanly()


@pytest.mark.neo4j
@pytest.mark.slow
def test_killed_python_parent_leaves_no_orphan_jvm(tmp_path):
    child = textwrap.dedent(
        f"""
        import sys, time
        from graphinv.neo4j_local import start
        server = start(data_dir={str(tmp_path / "neo4j")!r})
        print(server.process.pid, flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = parent.stdout.readline()
        assert line.strip().isdigit(), "child did not report a JVM pid"
        jvm = psutil.Process(int(line))
        assert jvm.is_running()
    finally:
        # SIGKILL: no atexit, no finally — only the closed stdin pipe tells the JVM.
        parent.send_signal(signal.SIGKILL)
        parent.wait()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if jvm.status() == psutil.STATUS_ZOMBIE:
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    else:
        jvm.kill()
        pytest.fail("the JVM outlived its killed parent")
    log = (tmp_path / "neo4j" / "graphinv-neo4j.log").read_text()
    assert "graphinv-neo4j stopped" in log


def test_missing_java_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(Neo4jLaunchError, match=r"^Java not found: install a JDK 17"):
        ensure_built()
    with pytest.raises(Neo4jLaunchError, match=r"^Java not found"):
        start()


@pytest.mark.neo4j
def test_classpath_is_cached_and_complete():
    entries = ensure_built()
    names = {Path(e).name for e in entries}
    assert any(n.startswith("neo4j-5.26.") for n in names)
    assert any(n.startswith("neo4j-bolt-5.26.") for n in names)
    with zipfile.ZipFile(entries[0]) as launcher:
        assert "graphinv/neo4j/Launcher.class" in launcher.namelist()
    assert ensure_built() == entries  # second call: cache hit, same classpath
