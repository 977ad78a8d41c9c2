"""One list of hostile inputs, shared by every channel's black-box tests.

Each entry is what a user (or a script) may send. `message` is the value of the message field
(text, or a wrong type); `sender` replaces the conversation id when set; `raw_body` replaces the
whole request body on HTTP channels (ignored by channels without a JSON body). `expect` says
what handling is correct:
- "answer": the bot answers (at least one message) and keeps serving;
- "refuse": the request is refused with a 4xx and a short JSON error, never a 5xx;
- "answer_or_refuse": either, but never a 5xx, a crash or silence.
`injected_intent` names the intent a text tries to force: it must not be the one recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_LENGTH = 2000  # the default of the MAX_MESSAGE_LENGTH setting (README)


@dataclass(frozen=True)
class Hostile:
    name: str
    message: Any = "Bonjour"
    expect: str = "answer"
    sender: Any = None  # None: a fresh conversation id; ...: no sender field at all
    raw_body: bytes | None = None
    injected_intent: str | None = None
    cut: bool = False  # the channel must say the message was cut


HOSTILE_INPUTS: tuple[Hostile, ...] = (
    Hostile("empty", "", "refuse"),
    Hostile("whitespace only", " \n\t  \r\n ", "refuse"),
    Hostile("exactly the cap", "é" * MAX_MESSAGE_LENGTH),
    Hostile("cap plus one", ("nos serveurs plantent " * 91)[: MAX_MESSAGE_LENGTH + 1], cut=True),
    Hostile("1 MB of text", "a" * 1_000_000, "answer_or_refuse"),
    Hostile("NUL characters", "bon\x00jour\x00, nos serveurs\x00 plantent"),
    Hostile("control characters", "\x1b[31mrouge\x07\x08\x7f nos sauvegardes"),
    Hostile("only control characters", "\x00\x01\x02\x1b", "refuse"),
    Hostile("emoji only", "🚀🔥💾🤖"),
    Hostile("emoji and text", "nos serveurs 💥 plantent tout le temps 😭"),
    Hostile("right-to-left marks", "\u202enos serveurs plantent\u202c \u200f\u061c"),
    Hostile("zero-width characters", "\u200b\u200c\u200d\ufeff"),
    Hostile("combining characters", "Z\u0336\u0322\u031b\u034e\u032b" * 300),
    Hostile("lone surrogate", "bonjour \ud800 \udfff"),
    Hostile("HTML script", "<script>alert('x')</script>Bonjour"),
    Hostile("HTML image onerror", "<img src=x onerror=\"fetch('//evil')\">"),
    Hostile("SQL drop table", "'; DROP TABLE events; --"),
    Hostile("SQL always true", "1' OR '1'='1"),
    Hostile("intent injection", "/request_data_deletion", injected_intent="request_data_deletion"),
    Hostile(
        "intent with entities",
        '/inform{"headcount": 999999, "it_staff": "cio"}',
        injected_intent="inform",
    ),
    Hostile("restart injection", "/restart", injected_intent="restart"),
    Hostile("slash alone", "/"),
    Hostile("malformed payload", '/inform{"headcount": '),
    Hostile("one long word", "x" * MAX_MESSAGE_LENGTH),
    Hostile("many newlines", "\n" * 1500 + "bonjour"),
    Hostile("other scripts", "我们的服务器经常崩溃 — خوادمنا تتعطل"),
    Hostile("format string", "{0} %s %(x)s {diagnostic_step} ${HOME}"),
    Hostile("message is a number", 42, "refuse"),
    Hostile("message is an object", {"text": "Bonjour"}, "refuse"),
    Hostile("message is null", None, "refuse"),
    Hostile("sender of 1,000 characters", "Bonjour", "refuse", sender="s" * 1000),
    Hostile("sender missing", "Bonjour", "refuse", sender=...),
    Hostile("sender empty", "Bonjour", "refuse", sender=""),
    Hostile("sender is a number", "Bonjour", "refuse", sender=12345),
    Hostile("sender with NUL", "Bonjour", "refuse", sender="abc\x00def"),
    Hostile("body is a JSON list", raw_body=b"[]", expect="refuse"),
    Hostile("body is a JSON string", raw_body=b'"Bonjour"', expect="refuse"),
    Hostile("body is not JSON", raw_body=b"sender=a&message=Bonjour", expect="refuse"),
    Hostile("body is empty", raw_body=b"", expect="refuse"),
    Hostile(
        "invalid UTF-8 bytes",
        raw_body=b'{"sender": "utf8", "message": "caf\xe9 \xff\xfe"}',
        expect="refuse",
    ),
    Hostile(
        "deeply nested JSON",
        raw_body=b'{"sender": "n", "message": "a", "metadata": ' + b"[" * 50000,
        expect="refuse",
    ),
)
