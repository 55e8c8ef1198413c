"""The test HTTP servers of tests/http_sites.py, checked with the standard library client only."""

from __future__ import annotations

import gzip
import http.client
import socket
import time

import pytest
from http_sites import (Sites, big, chunked, drop, gzipped, hang, image, page, redirect, sites,  # noqa: F401
                        status, trickle)


def get(sites, host, path="/", method="GET", headers=None, timeout=5):
    """One request to the test server with ``Host: host:PORT``; returns (response, body)."""
    conn = http.client.HTTPConnection(sites.host, sites.port, timeout=timeout)
    try:
        conn.request(method, path, headers={"Host": f"{host}:{sites.port}", **(headers or {})})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def raw_request(sites, host, path="/", timeout=1.0):
    """A socket that has sent a GET and not read anything yet."""
    sock = socket.create_connection((sites.host, sites.port), timeout=timeout)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{sites.port}\r\n\r\n".encode())
    return sock


def wait_idle(sites, within=3.0):
    """Wait until the server has finished every connection."""
    deadline = time.monotonic() + within
    while sites._conns and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not sites._conns


def test_url_and_address(sites):
    assert sites.host == "127.0.0.1" and sites.port > 0
    assert sites.url("old-site.test") == f"http://old-site.test:{sites.port}/"
    assert sites.url("new-site.test", "/a?b=1", scheme="https") == f"https://new-site.test:{sites.port}/a?b=1"


def test_virtual_hosts_route_by_host_header(sites):
    sites.route("old-site.test", "/", page("<p>old</p>"))
    sites.route("new-site.test", "/", page("<p>new</p>"))
    sites.route("new-site.test", "/list?page=2", page("second"))

    response, body = get(sites, "old-site.test")
    assert (response.status, body) == (200, b"<p>old</p>")
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Content-Length") == str(len(body))
    assert get(sites, "NEW-Site.TEST")[1] == b"<p>new</p>"  # case-insensitive, port stripped
    assert get(sites, "new-site.test", "/list?page=2")[1] == b"second"

    response, body = get(sites, "new-site.test", "/list?page=3")  # the query string is part of the route
    assert response.status == 404 and b"no such page" in body and b"<html" in body
    response, body = get(sites, "elsewhere.test")
    assert response.status in (404, 421) and 0 < len(body) < 200


def test_route_replaces_and_clear_takes_the_site_down(sites):
    sites.route("old-site.test", "/", page("first"))
    sites.route("old-site.test", "/", page("second"))
    sites.route("old-site.test", "/a", page("a"))
    assert get(sites, "old-site.test")[1] == b"second"

    sites.clear("old-site.test")
    for path in ("/", "/a"):
        response, body = get(sites, "old-site.test", path)
        assert response.status == 404 and b"no such page" in body


def test_keep_alive_and_head(sites):
    sites.route("old-site.test", "/", page("one"))
    sites.route("old-site.test", "/two", page("two", headers={"X-Test": "yes"}))
    conn = http.client.HTTPConnection(sites.host, sites.port, timeout=5)
    try:
        for path, expected in (("/", b"one"), ("/two", b"two")):
            conn.request("GET", path, headers={"Host": "old-site.test"})
            assert conn.getresponse().read() == expected
        conn.request("HEAD", "/two", headers={"Host": "old-site.test"})
        response = conn.getresponse()
        assert response.getheader("Content-Length") == "3" and response.getheader("X-Test") == "yes"
        assert response.read() == b""
    finally:
        conn.close()


def test_page_encodes_str_by_its_charset(sites):
    sites.route("old-site.test", "/latin", page("café", content_type="text/html; charset=ISO-8859-1"))
    sites.route("old-site.test", "/utf8", page("café"))
    assert get(sites, "old-site.test", "/latin")[1] == "café".encode("latin-1")
    assert get(sites, "old-site.test", "/utf8")[1] == "café".encode()


def test_redirect_sends_location_as_given(sites):
    sites.route("old-site.test", "/", redirect(sites.url("new-site.test", "/landing")))
    sites.route("old-site.test", "/rel", redirect("/elsewhere?x=1", code=302))
    response, _ = get(sites, "old-site.test")
    assert response.status == 301
    assert response.getheader("Location") == f"http://new-site.test:{sites.port}/landing"
    response, _ = get(sites, "old-site.test", "/rel")
    assert (response.status, response.getheader("Location")) == (302, "/elsewhere?x=1")


@pytest.mark.parametrize("code", [404, 410, 451, 500])
def test_status_pages(sites, code):
    sites.route("old-site.test", "/", status(code))
    response, body = get(sites, "old-site.test")
    assert response.status == code and str(code).encode() in body


def test_status_without_body(sites):
    sites.route("old-site.test", "/", status(204))
    response, body = get(sites, "old-site.test")
    assert (response.status, body, response.getheader("Content-Length")) == (204, b"", None)


def test_hang_sends_nothing_and_stop_is_prompt():
    sites = Sites()
    try:
        sites.route("slow.test", "/", hang(30))
        sock = raw_request(sites, "slow.test", timeout=1.0)
        with pytest.raises(socket.timeout):
            sock.recv(1)
        started = time.monotonic()
        sites.stop()
        assert time.monotonic() - started < 3
        sock.settimeout(2)
        assert sock.recv(1) == b""  # closed, still without a byte of response
        sock.close()
    finally:
        sites.stop()


def test_trickle_sends_slowly_and_stop_is_prompt():
    sites = Sites()
    try:
        sites.route("slow.test", "/short", trickle(total=5, every=0.02))
        sites.route("slow.test", "/long", trickle())
        response, body = get(sites, "slow.test", "/short")
        assert (response.getheader("Content-Length"), body) == ("5", b"xxxxx")

        conn = http.client.HTTPConnection(sites.host, sites.port, timeout=5)
        conn.request("GET", "/long", headers={"Host": "slow.test"})
        response = conn.getresponse()
        assert response.getheader("Content-Length") == "1000"
        assert response.read(2) == b"xx"
        started = time.monotonic()
        sites.stop()
        assert time.monotonic() - started < 3
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        conn.close()
    finally:
        sites.stop()


def test_big_streams_and_client_can_hang_up(sites, capfd):
    sites.route("files.test", "/big", big())
    conn = http.client.HTTPConnection(sites.host, sites.port, timeout=5)
    conn.request("GET", "/big", headers={"Host": "files.test"})
    response = conn.getresponse()
    assert response.getheader("Content-Length") == "20971520"
    assert response.read(1024 * 1024) == b"x" * (1024 * 1024)
    conn.close()
    wait_idle(sites)  # the handler met the closed socket and ended
    sites.stop()
    assert "Traceback" not in capfd.readouterr().err


def test_chunked_decodes(sites):
    sites.route("old-site.test", "/", chunked([b"<p>one", b"", b" two</p>"]))
    response, body = get(sites, "old-site.test")
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert body == b"<p>one two</p>"


def test_gzipped_decodes(sites):
    sites.route("old-site.test", "/", gzipped("<p>zipped é</p>"))
    response, body = get(sites, "old-site.test", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Length") == str(len(body))
    assert gzip.decompress(body) == "<p>zipped é</p>".encode()


def test_image(sites):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    sites.route("old-site.test", "/logo.png", image(png))
    response, body = get(sites, "old-site.test", "/logo.png")
    assert (response.getheader("Content-Type"), body) == ("image/png", png)


def test_drop_closes_without_a_response(sites, capfd):
    sites.route("old-site.test", "/", drop())
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        get(sites, "old-site.test")
    sock = raw_request(sites, "old-site.test", timeout=2)
    assert sock.recv(1) == b""
    sock.close()
    assert "Traceback" not in capfd.readouterr().err


def test_requests_are_recorded_in_order(sites):
    sites.route("old-site.test", "/", page("x"))
    get(sites, "old-site.test", "/", headers={"User-Agent": "graphinv-test"})
    get(sites, "new-site.test", "/missing?q=1")
    assert [(host, path) for host, path, _ in sites.requests] == [("old-site.test", "/"),
                                                                   ("new-site.test", "/missing?q=1")]
    headers = sites.requests[0][2]
    assert headers["user-agent"] == "graphinv-test"
    assert headers["host"] == f"old-site.test:{sites.port}"
