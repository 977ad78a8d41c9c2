"""The action server as the launcher starts it: bound to HOST, token required, bodies capped."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.action_server import MAX_BODY_BYTES
from bot.settings import ROOT

TOKEN = "k" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ACTION_SERVER_TOKEN": TOKEN,
        "HOST": "127.0.0.1",
        "RETENTION_DAYS": "12",
        "KNOWLEDGE_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('kb') / 'kb.db'}",
    }
    env.pop("SANIC_HOST", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert process.poll() is None, "the action server stopped"
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{url}/webhook", data=body, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def action_call() -> bytes:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    tracker = {
        "sender_id": "t",
        "slots": {},
        "latest_message": {"intent": {"name": "ask_privacy"}, "entities": [], "text": "x"},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    }
    call = {"next_action": "action_privacy_notice", "tracker": tracker, "domain": domain}
    return json.dumps(call).encode()


def listening_addresses(port: int) -> set[str]:
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            addresses.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return addresses


def test_listens_on_host_only(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    assert listening_addresses(port) == {"127.0.0.1"}  # rasa-sdk alone: 0.0.0.0


def test_health_is_open_and_actions_need_the_token(server: str) -> None:
    urllib.request.urlopen(f"{server}/health", timeout=5).close()
    assert post(server, action_call(), {})[0] == 401
    assert post(server, action_call(), {"X-Action-Token": "k" * 39 + "x"})[0] == 401
    status, result = post(server, action_call(), {"X-Action-Token": TOKEN})
    assert status == 200
    assert result["responses"][0]["response"] == "utter_privacy_notice"
    assert result["responses"][0]["retention_days"] == 12


def test_compressed_calls_work(server: str) -> None:
    status, _ = post(
        server,
        zlib.compress(action_call()),
        {"X-Action-Token": TOKEN, "Content-Encoding": "deflate"},
    )
    assert status == 200


def test_bodies_are_capped_compressed_or_not(server: str) -> None:
    token = {"X-Action-Token": TOKEN}
    # Refused on its Content-Length, before the body is read.
    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", "/webhook")
    connection.putheader("X-Action-Token", TOKEN)
    connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()
    bomb = b"{" + b" " * (MAX_BODY_BYTES * 4) + b"}"
    assert len(zlib.compress(bomb)) < 100_000
    deflate = post(server, zlib.compress(bomb), {**token, "Content-Encoding": "deflate"})
    assert deflate[0] == 413
    gzipped = post(server, gzip.compress(bomb), {**token, "Content-Encoding": "gzip"})
    assert gzipped[0] == 413
    assert post(server, b"\x00garbage", {**token, "Content-Encoding": "deflate"})[0] == 413
    assert post(server, b"abc", {**token, "Content-Encoding": "br"})[0] == 415


def test_refuses_to_start_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "ACTION_SERVER_TOKEN est absent" in result.stderr
