"""bot.rest: what the REST channel accepts, refuses, and how it cleans the text."""

from __future__ import annotations

import json

import pytest

from bot.inbound import clean_text, response_text
from bot.rest import MAX_SENDER_LENGTH, BadRequestError, parse_body


def body(value: object) -> bytes:
    return json.dumps(value).encode()


def test_a_well_formed_body_is_read() -> None:
    assert parse_body(body({"sender": "abc", "message": "Bonjour"})) == ("abc", "Bonjour", None)
    assert parse_body(body({"sender": "a", "message": "x", "metadata": {"k": 1}}))[2] == {"k": 1}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[]", "objet JSON"),
        (b"", "pas du JSON valide"),
        (b"{not json", "pas du JSON valide"),
        (b'{"sender": "a", "message": "\xff\xfe"}', "UTF-8"),
        (body({"message": "Bonjour"}), "« sender » est obligatoire"),
        (body({"sender": "", "message": "Bonjour"}), "« sender » est obligatoire"),
        (body({"sender": "   ", "message": "Bonjour"}), "« sender » est obligatoire"),
        (body({"sender": 42, "message": "Bonjour"}), "chaîne"),
        (body({"sender": "x" * (MAX_SENDER_LENGTH + 1), "message": "a"}), "dépasse"),
        (body({"sender": "a\x00b", "message": "Bonjour"}), "contrôle"),
        (body({"sender": "a", "message": None}), "« message »"),
        (body({"sender": "a", "message": ["Bonjour"]}), "« message »"),
        (body({"sender": "a", "message": "Bonjour", "metadata": [1]}), "« metadata »"),
        (body({"sender": "a", "message": ""}), "vide"),
        (body({"sender": "a", "message": " \n\t "}), "vide"),
        (body({"sender": "a", "message": "\x00\x01"}), "vide"),
        (body("Bonjour"), "objet JSON"),
        (body(None), "objet JSON"),
        (b'{"sender": "a", "message": "x", "metadata": ' + b"[" * 100000, "imbriqué"),
    ],
)
def test_malformed_bodies_get_a_short_french_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadRequestError, match=reason) as error:
        parse_body(raw)
    assert len(str(error.value)) < 120


def test_control_characters_and_lone_surrogates_are_replaced() -> None:
    assert clean_text("a\x00b\x1bc\u0085d") == "a b c d"
    assert clean_text("ligne 1\nligne 2\tfin") == "ligne 1\nligne 2\tfin"
    assert clean_text("x\ud800y") == "x\ufffdy"
    assert clean_text("émoji 🚀 et ‏arabe") == "émoji 🚀 et ‏arabe"


def test_the_cut_notice_is_french_and_in_the_domain() -> None:
    text = response_text("utter_message_cut")
    assert "trop long" in text and "’" in text
