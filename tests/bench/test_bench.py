"""The benchmark's own arithmetic and data handling (no Rasa server: a fake REST bot)."""

from __future__ import annotations

from aiohttp import web
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bench import load, nlu, servers


def test_percentiles_interpolate_like_numpy():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50.5
    assert round(load.percentile(values, 95), 2) == 95.05
    assert load.percentile([], 95) is None


def test_wikit_rows_become_rasa_training_data_unchanged():
    rows = [
        ("je peux ouvrir un CET ?", "absences"),
        ("Le délai : « fin avril » va t'il être reculé ?", "absences"),
        ("où manger\nce midi", "repas"),
    ]
    data = RasaYAMLReader().reads(nlu.to_rasa_nlu(rows))
    examples = {(m.get("text"), m.get("intent")) for m in data.intent_examples}
    assert examples == {
        ("je peux ouvrir un CET ?", "absences"),
        ("Le délai : « fin avril » va t'il être reculé ?", "absences"),
        ("où manger ce midi", "repas"),
    }


async def test_workloads_count_turns_errors_and_the_plan():
    """A fake bot: the plan at a conversation's fourth message, HTTP 500 for "merci"."""
    seen: dict[str, int] = {}

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        if body["message"] == "merci":
            return web.Response(status=500)
        seen[body["sender"]] = seen.get(body["sender"], 0) + 1
        if seen[body["sender"]] == 4:
            return web.json_response([{"custom": {"type": "advice"}}])
        return web.json_response([{"text": "Question", "buttons": [{"payload": "/dont_know"}]}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = servers.free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        diag, elapsed = await load.run_workload(
            url, load.diagnostic, users=2, duration_s=0.5, think_s=None
        )
        asked, _ = await load.run_workload(
            url, load.questions, users=1, duration_s=0.5, think_s=None
        )
    finally:
        await runner.cleanup()
    summary = load.summarize(diag, elapsed)
    # Opening, three answers until the plan, two questions: six turns, all answered.
    assert summary["conversations"] > 0 and summary["failed_conversations"] == 0
    assert summary["turns"] >= 6 * summary["conversations"]
    assert summary["errors"] == 0 and summary["p95_ms"] is not None
    # Question-only conversations end with "merci", answered here by an HTTP 500.
    assert asked.failed_conversations == asked.conversations > 0
    assert asked.errors["http_500"] == asked.conversations


async def test_wikit_scoring_undoes_the_fallback_as_rasa_test_nlu_does(monkeypatch, tmp_path):
    """`accuracy` scores the intent a fallback shadowed; `accuracy_with_fallback` counts a miss."""
    from rasa.core.agent import Agent

    def fallback(shadowed: str) -> dict:
        ranking = [
            {"name": "nlu_fallback", "confidence": 0.35},
            {"name": shadowed, "confidence": 0.3},
        ]
        return {"intent": ranking[0], "intent_ranking": ranking}

    parses = {
        "clear": {"intent": {"name": "a", "confidence": 0.9}, "intent_ranking": []},
        "unsure right": fallback("a"),
        "unsure wrong": fallback("c"),
    }

    class FakeAgent:
        async def parse_message(self, text: str) -> dict:
            return parses[text]

    monkeypatch.setattr(Agent, "load", staticmethod(lambda path: FakeAgent()))
    rows = [("clear", "a"), ("unsure right", "a"), ("unsure wrong", "b")]
    result = await nlu.score(tmp_path / "model.tar.gz", rows)
    assert result["accuracy"] == round(2 / 3, 4)
    assert result["accuracy_with_fallback"] == round(1 / 3, 4)
    assert result["top_confusions"] == [{"expected": "b", "predicted": "c", "count": 1}]
