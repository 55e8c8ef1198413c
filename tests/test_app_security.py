"""The app answers only to its own names and origin, and stays out of other sites' frames.

A page the journalist visits can resolve its own host name to 127.0.0.1 (DNS rebinding)
and then call the app as if it were its own page; before the Host check it could reach
the Cypher console. These tests drive the real Flask server: with a plain client for
each header, and with Chromium told that ``rebind.test`` is 127.0.0.1, as a rebinding
attacker's page would be.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pandas as pd
import pytest

from graphinv.app import allowed_host_names, create_app
from graphinv.store import open_store

ROUTE = {"output": "page.children", "outputs": {"id": "page", "property": "children"},
         "inputs": [{"id": "url", "property": "pathname", "value": "/console"},
                    {"id": "url", "property": "search", "value": ""}],
         "changedPropIds": ["url.pathname"]}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("app-security") / "g.lbug"
    with open_store(f"embedded:{path}") as store:
        store.upsert_nodes("Account", pd.DataFrame({"uid": ["account:twitter:alice"], "handle": ["alice"]}))
    return path


@pytest.fixture(scope="module")
def client(store_path):
    app = create_app(f"embedded:{store_path}")
    yield app.server.test_client()
    app.server.config["GRAPHINV_CONTEXT"].store.close()


def _route(client, **headers):
    return client.post("/_dash-update-component", data=json.dumps(ROUTE), content_type="application/json",
                       headers=headers)


def test_the_app_serves_its_loopback_names(client):
    for host in ("127.0.0.1:8050", "localhost:8050", "[::1]:8050"):
        page = client.get("/", headers={"Host": host})
        assert page.status_code == 200, host
        assert _route(client, Host=host, Origin=f"http://{host}").status_code == 200, host


def test_another_host_name_is_refused_with_what_to_do(client):
    page = client.get("/", headers={"Host": "rebind.test:8050"})
    assert page.status_code == 403
    assert page.text == ("graphinv: this app does not answer to the host name 'rebind.test'; "
                         "set GRAPHINV_APP_HOSTS to serve it under that name\n")
    assert _route(client, Host="rebind.test:8050").status_code == 403


def test_a_request_from_another_origin_is_refused(client):
    for origin in ("http://evil.example", "http://127.0.0.1:9999", "null", "http://rebind.test:8050"):
        refused = _route(client, Host="127.0.0.1:8050", Origin=origin)
        assert refused.status_code == 403, origin
        assert refused.text == "graphinv: cross-origin requests are refused\n"
    cross_site = _route(client, Host="127.0.0.1:8050", **{"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403


def test_every_response_keeps_the_app_out_of_frames_and_other_origins(client):
    for response in (client.get("/", headers={"Host": "127.0.0.1:8050"}),
                     client.get("/", headers={"Host": "rebind.test"})):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_graphinv_app_hosts_adds_a_name_and_binding_elsewhere_adds_that_address():
    assert "graphinv.lan" in allowed_host_names("127.0.0.1", {"GRAPHINV_APP_HOSTS": " graphinv.lan ,"})
    assert "10.0.0.5" in allowed_host_names("10.0.0.5", {})
    assert allowed_host_names("0.0.0.0", {}) == {"127.0.0.1", "localhost", "::1"}


@pytest.mark.browser
def test_a_rebinding_page_cannot_drive_the_app(store_path):
    """Chromium believes rebind.test is 127.0.0.1: the attacker's page, once rebound, gets
    403 for the app's pages and for a callback it posts; the app's own origin still works."""
    from test_app_browser import AppServer, make_driver, wait_rendered

    server = AppServer(f"embedded:{store_path}")
    statuses = []
    server.app.server.after_request(lambda response: statuses.append(response.status_code) or response)
    driver = make_driver(extra_arguments=["--host-resolver-rules=MAP rebind.test 127.0.0.1"])
    try:
        driver.get(f"http://rebind.test:{server.port}/console")
        body = driver.find_element("tag name", "body").text
        assert "does not answer to the host name 'rebind.test'" in body
        assert not driver.find_elements("id", "page")
        post = ("const done = arguments[arguments.length - 1];"
                "fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                " body: arguments[0]}).then(r => done(r.status), e => done(String(e)));")
        assert driver.execute_async_script(post, json.dumps(ROUTE)) == 403
        assert statuses[-2:] == [403, 403]
        # The same page at the app's own name renders, and its callback is served.
        driver.get(f"{server.url}/console")
        wait_rendered(driver)
        assert driver.execute_async_script(post, json.dumps(ROUTE)) == 200
    finally:
        driver.quit()
        server.stop()


def test_the_running_app_refuses_a_foreign_host_over_http(store_path):
    from test_app_browser import AppServer

    server = AppServer(f"embedded:{store_path}")
    try:
        request = urllib.request.Request(f"{server.url}/", headers={"Host": "attacker.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
        with urllib.request.urlopen(f"{server.url}/", timeout=10) as ok:
            assert ok.status == 200
    finally:
        server.stop()


def test_graphinv_app_prints_one_line_and_refuses_a_busy_port(store_path):
    """The terminal shows where the app is, not Flask's development banner nor a line per
    request; a second app on the same port says so in one line."""
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "graphinv", "app", "--store", f"embedded:{store_path}", "--port", str(port)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=dict(os.environ))
    try:
        line = first.stdout.readline()
        assert line.startswith(f"graphinv app on http://127.0.0.1:{port}/ (store g.lbug · embedded · read-only)")
        for _ in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
                assert page.status == 200
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert second.returncode == 1
        assert second.stderr.strip().startswith(f"Error: cannot serve on 127.0.0.1:{port} (")
        assert second.stderr.strip().endswith("another app may be running there; stop it or pass --port")
        # A second `make demo` while the app serves: nothing rebuilt under it, one line.
        rebuilt = store_path.parent / "rebuilt.lbug"
        demo = subprocess.run([sys.executable, "-m", "graphinv", "demo", "--store", f"embedded:{rebuilt}",
                               "--port", str(port)], capture_output=True, text=True, timeout=120)
        assert demo.returncode == 0, demo.stderr
        assert demo.stdout.startswith(f"The demo app already runs at http://127.0.0.1:{port}/")
        assert not rebuilt.exists()
        time.sleep(0.5)
    finally:
        first.terminate()
        rest, _ = first.communicate(timeout=30)
    assert "Serving Flask app" not in rest and "development server" not in rest and "GET / " not in rest, rest
