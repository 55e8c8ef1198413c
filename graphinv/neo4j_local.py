"""A real local Neo4j Community 5.26 (embedded in a small JVM launcher) for tests,
benchmarks and `make neo4j`.

The JVM side lives in scripts/neo4j: Maven fetches Neo4j once into
scripts/neo4j/target/lib; the launcher opens only Bolt on 127.0.0.1 with auth on.
Run in the foreground with ``python -m graphinv.neo4j_local [--port 7687] [--data DIR]``.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from graphinv.errors import GraphinvError

PROJECT_DIR = Path(os.environ.get("GRAPHINV_NEO4J_PROJECT", Path(__file__).resolve().parents[1] / "scripts" / "neo4j"))
POM = PROJECT_DIR / "pom.xml"
TARGET = PROJECT_DIR / "target"
LIB = TARGET / "lib"
CLASSES = TARGET / "classes"
STAMP = LIB / ".graphinv-stamp"
LAUNCHER_SRC = PROJECT_DIR / "src" / "main" / "java" / "graphinv" / "neo4j" / "Launcher.java"
LAUNCHER_CLASS = CLASSES / "graphinv" / "neo4j" / "Launcher.class"
# A jar, not target/classes: the JVM's class-data sharing refuses directories on the classpath.
LAUNCHER_JAR = TARGET / "graphinv-neo4j-launcher.jar"
# Class-data-sharing archive of Neo4j's ~20k classes, made once by a training start;
# it cuts JVM start-up to ready by roughly a factor of 2-3 on a 2-core box.
CDS_ARCHIVE = TARGET / "neo4j-cds.jsa"
CDS_KEY = TARGET / "neo4j-cds.key"
MAIN_CLASS = "graphinv.neo4j.Launcher"
READY_PREFIX = "graphinv-neo4j ready "
STOPPED_LINE = "graphinv-neo4j stopped"
LOG_NAME = "graphinv-neo4j.log"
USER = "neo4j"

# Flags Neo4j's own launcher passes on Java 17 (netty and the page cache reach into
# java.nio internals); AlwaysPreTouch is left out on purpose so idle RSS stays small.
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Djava.awt.headless=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]


class Neo4jLaunchError(GraphinvError):
    """The local Neo4j could not be built or started."""


def neo4j_version() -> str:
    """The Neo4j version pinned in pom.xml."""
    match = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", POM.read_text())
    return match.group(1) if match else "5.26.x"


def _java_tool(name: str) -> str | None:
    # JAVA_HOME wins over PATH, as with every other Java tool.
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / name).is_file():
        return str(Path(home) / "bin" / name)
    return shutil.which(name)


def _java_info() -> tuple[str, str]:
    """Path and `-version` text of a usable java (17+), or Neo4jLaunchError."""
    java = _java_tool("java")
    if java is None:
        raise Neo4jLaunchError("Java not found: install a JDK 17 (or set JAVA_HOME)")
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Neo4jLaunchError(f"Java at {java} does not run: {exc}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise Neo4jLaunchError(f"Java at {java} does not report a version: install a JDK 17")
    major = int(match.group(1))
    if major == 1:  # "1.8.0_x" style
        major = int(match.group(2) or 0)
    if major < 17:
        raise Neo4jLaunchError(f"Java {major} found at {java}; Neo4j 5.26 needs Java 17 or 21")
    return java, (out.stderr + out.stdout).strip()


def _stamp() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def _maven_error(lines: list[str]) -> str:
    # Maven's last lines are boilerplate ("Re-run Maven using -X", help links); the
    # first [ERROR] line is the one that says what went wrong.
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln).strip() for ln in lines]
    errors = [ln[len("[ERROR]") :].strip() for ln in lines if ln.startswith("[ERROR]")]
    errors = [e for e in errors if e]
    text = errors[0] if errors else next((ln.strip() for ln in reversed(lines) if ln.strip()), "no output")
    return text if len(text) <= 400 else text[:400] + "…"


def _run_maven(quiet: bool) -> None:
    mvn = shutil.which("mvn")
    version = neo4j_version()
    if mvn is None:
        raise Neo4jLaunchError(
            f"Maven not found: install Maven 3.8+ (needed once to fetch Neo4j {version} from Maven Central)"
        )
    if not quiet:
        print(f"Fetching Neo4j {version} from Maven Central into {LIB} (once, ~125 MB)…", file=sys.stderr)
    # Old jars from a previous version would shadow the new ones on the classpath.
    shutil.rmtree(LIB, ignore_errors=True)
    cmd = [mvn, "-B", "-Dstyle.color=never", "-f", str(POM), "compile"]
    if quiet:
        cmd.insert(2, "-q")
    lines: list[str] = []
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT_DIR)
    except OSError as exc:
        raise Neo4jLaunchError(f"Maven could not be run ({mvn}): {exc}") from None
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if not quiet:
            sys.stderr.write(line)
    if proc.wait() != 0:
        raise Neo4jLaunchError(
            f"Maven failed to resolve Neo4j {version} from Maven Central: {_maven_error(lines)}"
        )
    if not any(LIB.glob("neo4j-*.jar")):
        raise Neo4jLaunchError(f"Maven finished but left no Neo4j jars in {LIB}")
    STAMP.write_text(_stamp() + "\n")


def _compile_launcher() -> None:
    javac = _java_tool("javac")
    if javac is None:
        raise Neo4jLaunchError("javac not found: install a JDK 17 (a JRE alone cannot build the launcher)")
    CLASSES.mkdir(parents=True, exist_ok=True)
    cmd = [javac, "--release", "17", "-nowarn", "-d", str(CLASSES), "-cp", str(LIB / "*"), str(LAUNCHER_SRC)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        first = next((ln for ln in (out.stderr + out.stdout).splitlines() if ln.strip()), "no output")
        raise Neo4jLaunchError(f"javac failed to compile the Neo4j launcher: {first}")


def _package_launcher() -> None:
    tmp = LAUNCHER_JAR.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as jar:
        for cls in sorted(CLASSES.rglob("*.class")):
            jar.write(cls, cls.relative_to(CLASSES).as_posix())
    tmp.replace(LAUNCHER_JAR)


def _cds_key(java_version: str) -> str:
    # The JVM rejects an archive made by another JVM or for other jars; keying on them
    # lets us retrain instead of silently running without it forever.
    parts = [java_version, STAMP.read_text(), str(LAUNCHER_JAR.stat().st_mtime_ns)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _train_cds(java: str, key: str, quiet: bool) -> None:
    """One throw-away start that runs a little Cypher, so the archive holds the
    classes a real start and first queries load."""
    import neo4j

    if not quiet:
        print("Preparing Neo4j's class-data archive (once, ~30 s)…", file=sys.stderr)
    tmp_archive = CDS_ARCHIVE.with_suffix(f".{os.getpid()}.tmp")
    data = Path(tempfile.mkdtemp(prefix="graphinv-neo4j-cds-"))
    try:
        server = _launch(java, free_port(), secrets.token_urlsafe(18), data, "768m", "64m", 300,
                         owns_data_dir=True, extra_jvm=[f"-XX:ArchiveClassesAtExit={tmp_archive}"])
        try:
            with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
                driver.execute_query("UNWIND range(1, 100) AS i MERGE (n:CdsWarmup {uid: toString(i)}) "
                                     "SET n.i = i RETURN count(n)")
                driver.execute_query("MATCH (n:CdsWarmup) WHERE n.i > $x RETURN n.uid ORDER BY n.uid", x=10)
        finally:
            # Closing stdin makes the launcher call System.exit(0): a normal exit,
            # which is when the JVM writes the archive.
            server.process.stdin.close()
            try:
                server.process.wait(120)
            finally:
                server.stop()
        if tmp_archive.is_file() and tmp_archive.stat().st_size > 0:
            tmp_archive.replace(CDS_ARCHIVE)
            CDS_KEY.write_text(key + "\n")
        else:
            # Remember the failure so every start does not pay for another training run.
            CDS_KEY.write_text("failed " + key + "\n")
    finally:
        tmp_archive.unlink(missing_ok=True)
        shutil.rmtree(data, ignore_errors=True)


def _cds_enabled() -> bool:
    return os.environ.get("GRAPHINV_NEO4J_CDS", "1") != "0"


def ensure_built(quiet: bool = True) -> list[str]:
    """Fetch Neo4j (only if the cache is missing or pom.xml changed), compile and
    package the launcher if needed, prepare the class-data archive, and return the
    classpath entries."""
    return _ensure_built(quiet)[1]


def _ensure_built(quiet: bool) -> tuple[str, list[str]]:
    java, java_version = _java_info()
    TARGET.mkdir(parents=True, exist_ok=True)
    # pytest-xdist workers and a concurrent `make neo4j` may all build at once.
    with open(TARGET / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not STAMP.is_file() or STAMP.read_text().strip() != _stamp():
                CDS_ARCHIVE.unlink(missing_ok=True)
                _run_maven(quiet)
            if not LAUNCHER_CLASS.is_file() or LAUNCHER_CLASS.stat().st_mtime < LAUNCHER_SRC.stat().st_mtime:
                _compile_launcher()
            if not LAUNCHER_JAR.is_file() or LAUNCHER_JAR.stat().st_mtime < LAUNCHER_CLASS.stat().st_mtime:
                _package_launcher()
            if _cds_enabled():
                key = _cds_key(java_version)
                recorded = CDS_KEY.read_text().strip() if CDS_KEY.is_file() else ""
                if recorded not in (key, f"failed {key}") or (recorded == key and not CDS_ARCHIVE.is_file()):
                    CDS_ARCHIVE.unlink(missing_ok=True)
                    _train_cds(java, key, quiet)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return java, [str(LAUNCHER_JAR), *sorted(str(p) for p in LIB.glob("*.jar"))]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalNeo4j:
    """A running local Neo4j; stop() or use as a context manager."""

    def __init__(self, *, port: int, password: str, data_dir: Path, process: subprocess.Popen,
                 log_path: Path, log_offset: int, owns_data_dir: bool) -> None:
        self.port = port
        self.uri = f"bolt://127.0.0.1:{port}"
        self.user = USER
        self.password = password
        self.data_dir = data_dir
        self.process = process
        self.log_path = log_path
        self._log_offset = log_offset  # the log is appended to across restarts
        self._owns_data_dir = owns_data_dir
        atexit.register(self._stop_at_exit)

    def __repr__(self) -> str:
        return f"LocalNeo4j(uri={self.uri!r}, pid={self.process.pid}, data_dir={str(self.data_dir)!r})"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM the JVM and wait; returns its exit code.

        143 (128+SIGTERM) is the JVM's normal code after a signal-triggered shutdown;
        the launcher's hook has shut Neo4j down cleanly by then (see stopped_cleanly)."""
        atexit.unregister(self._stop_at_exit)
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        code = self.process.returncode
        if self._owns_data_dir and code in (0, 143):
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return code

    def stopped_cleanly(self) -> bool:
        """True if the launcher's shutdown hook finished (Neo4j checkpointed and closed)."""
        return self.process.poll() is not None and STOPPED_LINE in _read_from(self.log_path, self._log_offset)

    def _stop_at_exit(self) -> None:
        with contextlib.suppress(Exception):
            self.stop(timeout=30)

    def __enter__(self) -> LocalNeo4j:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def _failure_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("graphinv-neo4j failed:"):
            return ln[len("graphinv-neo4j failed:") :].strip()
    for ln in reversed(lines):
        if "Exception" in ln or "Error" in ln:
            return ln
    return lines[-1] if lines else "no output"


def _launch(java: str, port: int, password: str, data_dir: Path, heap: str, pagecache: str,
            timeout: float, owns_data_dir: bool, extra_jvm: list[str] | None = None) -> LocalNeo4j:
    log_path = data_dir / LOG_NAME
    offset = log_path.stat().st_size if log_path.exists() else 0
    env = dict(os.environ, GRAPHINV_NEO4J_PASSWORD=password, GRAPHINV_NEO4J_PAGECACHE=pagecache)
    if extra_jvm is None:
        extra_jvm = [f"-XX:SharedArchiveFile={CDS_ARCHIVE}"] if _cds_enabled() and CDS_ARCHIVE.is_file() else []
    cmd = [java, f"-Xmx{heap}", *JVM_FLAGS, *extra_jvm, "-cp", os.pathsep.join([str(LAUNCHER_JAR), str(LIB / "*")]),
           MAIN_CLASS, "--port", str(port), "--data", str(data_dir), "--pagecache", pagecache,
           "--exit-on-stdin-eof"]
    with open(log_path, "ab") as log:
        # New session: a Ctrl-C meant for Python must not hit the JVM mid-write; we stop
        # it ourselves. stdin is a pipe only we hold: if Python dies, the JVM sees EOF
        # and shuts down instead of lingering as an orphan.
        process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log, stderr=log, env=env,
                                   cwd=data_dir, start_new_session=True)
    server = LocalNeo4j(port=port, password=password, data_dir=data_dir, process=process,
                        log_path=log_path, log_offset=offset, owns_data_dir=owns_data_dir)
    deadline = time.monotonic() + timeout
    try:
        while True:
            text = _read_from(log_path, offset)
            if f"{READY_PREFIX}{server.uri}" in text:
                break
            if process.poll() is not None:
                raise Neo4jLaunchError(
                    f"Neo4j exited with code {process.returncode} before it was ready: "
                    f"{_failure_line(text)} (log: {log_path})"
                )
            if time.monotonic() > deadline:
                raise Neo4jLaunchError(f"Neo4j was not ready within {timeout:.0f} s (log: {log_path})")
            time.sleep(0.1)
        _verify(server, deadline)
    except BaseException:
        server._owns_data_dir = False  # keep the log for whoever reads the error
        server.stop(timeout=30)
        raise
    return server


def _verify(server: LocalNeo4j, deadline: float) -> None:
    import neo4j
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

    last: Exception | None = None
    with neo4j.GraphDatabase.driver(server.uri, auth=server.auth) as driver:
        while time.monotonic() < deadline:
            try:
                driver.verify_connectivity()
                return
            except AuthError as exc:
                raise Neo4jLaunchError(f"Neo4j is up but refused the password: {exc.message}") from None
            except (ServiceUnavailable, Neo4jError, OSError) as exc:
                last = exc
                time.sleep(0.2)
    raise Neo4jLaunchError(f"Neo4j printed ready but the driver could not connect to {server.uri}: {last}")


def start(port: int | None = None, password: str | None = None, data_dir: str | Path | None = None,
          heap: str = "768m", pagecache: str = "256m", timeout: float = 180) -> LocalNeo4j:
    """Start a local Neo4j and return once the driver can log in."""
    java, _ = _ensure_built(quiet=True)
    password = password or os.environ.get("GRAPHINV_NEO4J_PASSWORD") or secrets.token_urlsafe(18)
    owns = data_dir is None
    data = Path(tempfile.mkdtemp(prefix="graphinv-neo4j-")) if owns else Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    # A free port can be taken between probing and binding; retry only when we chose it.
    attempts = 1 if port is not None else 3
    for attempt in range(attempts):
        try:
            return _launch(java, port or free_port(), password, data, heap, pagecache, timeout, owns)
        except Neo4jLaunchError as exc:
            if attempt + 1 == attempts or "Address already in use" not in str(exc):
                raise
    raise AssertionError("unreachable")


def _cli_password(data_dir: Path) -> tuple[str, str]:
    """The password for the foreground server and a sentence saying where it comes from."""
    env = os.environ.get("GRAPHINV_NEO4J_PASSWORD")
    if env:
        return env, "from $GRAPHINV_NEO4J_PASSWORD"
    saved = data_dir / "password"
    if saved.is_file() and saved.read_text().strip():
        pw = saved.read_text().strip()
    else:
        pw = secrets.token_urlsafe(18)
        # Kept beside the data so the server keeps one password across restarts.
        fd = os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(pw + "\n")
    return pw, f"in {saved} (export GRAPHINV_NEO4J_PASSWORD=$(cat {saved}))"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graphinv.neo4j_local",
                                     description="Run a local Neo4j 5.26 (Bolt only, 127.0.0.1) in the foreground.")
    parser.add_argument("--port", type=int, default=7687)
    parser.add_argument("--data", default="var/neo4j", help="data directory (default: var/neo4j)")
    parser.add_argument("--heap", default="768m")
    parser.add_argument("--pagecache", default=os.environ.get("GRAPHINV_NEO4J_PAGECACHE", "256m"))
    parser.add_argument("--build-only", action="store_true",
                        help="fetch Neo4j with Maven and compile the launcher, then exit")
    args = parser.parse_args(argv)
    if args.build_only:
        try:
            ensure_built(quiet=True)
        except Neo4jLaunchError as exc:
            print(f"make: {exc}", file=sys.stderr)
            return 1
        return 0

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    password, where = _cli_password(data)

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        print(f"Starting Neo4j {neo4j_version()} (first run fetches it with Maven)…", flush=True)
        ensure_built(quiet=False)
        server = start(port=args.port, password=password, data_dir=data, heap=args.heap, pagecache=args.pagecache)
    except Neo4jLaunchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"Neo4j ready at {server.uri}\n  user: {server.user}\n  password: {where}\n"
          f"  data: {data}\n  log: {server.log_path} (Neo4j's own logs in {data / 'logs'})\n"
          "Ctrl-C to stop.", flush=True)
    try:
        code = server.process.wait()
        print(f"Neo4j exited on its own with code {code}; see {server.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopping Neo4j…", flush=True)
        code = server.stop()
        print("Stopped." if server.stopped_cleanly() else f"Stopped with exit code {code}; see {server.log_path}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
