"""Question answers (ask_* intents) and the French chat rendering of the advice."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeError, answer_question, recommend
from knowledge.profile import SERVICE_IDS, TOPICS
from knowledge.render import render_detail


@pytest.mark.parametrize("topic", [topic for topic in TOPICS if topic != "service"])
def test_every_topic_has_a_cited_french_answer(topic: str, article: str) -> None:
    answer = answer_question(topic)
    assert set(answer) == {"topic", "service", "text", "sources"}
    assert answer["topic"] == topic and answer["service"] is None
    assert len(answer["text"]) > 100 and "\n\n" in answer["text"]
    assert answer["sources"]
    for source in answer["sources"]:
        assert source["quote"] in article


@pytest.mark.parametrize("service", SERVICE_IDS)
def test_each_service_has_an_answer(service: str, article: str) -> None:
    answer = answer_question("service", service)
    assert answer["service"] == service
    assert all(source["quote"] in article for source in answer["sources"])


def test_governance_answer_says_it_stays_in_house() -> None:
    text = answer_question("service", "governance")["text"]
    assert "ne s’externalise pas" in text


def test_topic_answers_differ() -> None:
    texts = {answer_question(topic)["text"] for topic in TOPICS if topic != "service"}
    assert len(texts) == len(TOPICS) - 1


@pytest.mark.parametrize(
    ("topic", "service", "fragment"),
    [
        ("weather", None, "Sujet inconnu « weather »"),
        ("service", None, "Précisez le service concerné"),
        ("service", "printers", "Service inconnu « printers »"),
    ],
)
def test_unknown_topic_or_service_is_a_french_error(
    topic: str, service: str | None, fragment: str
) -> None:
    with pytest.raises(KnowledgeError, match=fragment):
        answer_question(topic, service)


def test_the_details_carry_every_part_of_the_advice_within_size() -> None:
    advice = recommend(
        {
            "pain_points": ["backup_doubt", "server_instability", "user_support_overload"],
            "trigger": "major_outage",
            "it_staff": "none",
            "motive": "cost",
        }
    )
    parts = {part: render_detail(advice, part) for part in ("why", "warnings", "start", "case")}
    assert all(len(message) <= 900 for messages in parts.values() for message in messages)
    why, warnings, start = ("\n".join(parts[name]) for name in ("why", "warnings", "start"))
    for priority in advice["priorities"]:
        assert priority["title"] in why
        assert f"« {priority['source']['quote']} » — {priority['source']['section']}" in why
    for step in advice["priorities"][0]["first_steps"]:
        assert step in start
    for warning in advice["warnings"]:
        assert warning["text"] in warnings and warning["source"]["quote"] in warnings
    for phase in advice["trajectory"]:
        assert phase["text"] in start
    assert "des doutes sur vos sauvegardes" in why  # what the user said
    assert "Gouvernance, arbitrage et vision stratégique" in why
    assert "votre effectif" in why  # missing fields, in French


def test_an_unknown_detail_part_is_a_clear_error() -> None:
    with pytest.raises(KnowledgeError, match="Partie du plan inconnue « tout »"):
        render_detail(recommend({}), "tout")
