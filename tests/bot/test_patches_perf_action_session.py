"""bot.patches.perf_action_session: calls to an endpoint reuse one kept-alive connection."""

from __future__ import annotations

import pytest
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot.patches import PATCHES, perf_action_session


@pytest.fixture
async def server(unused_tcp_port):
    """A small HTTP server counting the connections it accepts and echoing a header."""
    connections: set[object] = set()

    async def webhook(request: web.Request) -> web.Response:
        connections.add(request.transport)
        body = await request.json()
        return web.json_response({"token": request.headers.get("X-Token"), "echo": body})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", unused_tcp_port)
    await site.start()
    yield f"http://127.0.0.1:{unused_tcp_port}/webhook", connections
    await runner.cleanup()


def test_listed_in_the_server_patches():
    assert "perf_action_session" in PATCHES


async def test_calls_share_one_connection_with_the_endpoint_headers(server):
    url, connections = server
    perf_action_session.apply()
    endpoint = EndpointConfig(url=url, headers={"X-Token": "secret"})
    answers = [await endpoint.request(json={"turn": turn}, method="post") for turn in range(5)]
    assert answers == [{"token": "secret", "echo": {"turn": turn}} for turn in range(5)]
    assert len(connections) == 1
    await perf_action_session.close_sessions()


async def test_sessions_are_closed_with_the_server(server):
    from types import SimpleNamespace

    import rasa.core.run

    url, _ = server
    perf_action_session.apply()
    endpoint = EndpointConfig(url=url)
    await endpoint.request(json={}, method="post")
    shared = endpoint.__dict__[perf_action_session.SESSION_ATTRIBUTE]
    await rasa.core.run.close_resources(SimpleNamespace(ctx=SimpleNamespace()), None)
    assert shared.closed


def test_apply_is_idempotent():
    perf_action_session.apply()
    patched = EndpointConfig.session
    perf_action_session.apply()
    assert EndpointConfig.session is patched
