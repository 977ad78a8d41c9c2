"""Static checks on the NLU training data and the held-out set.

Why: DIET learns contradictory labels when a service word is annotated in one example and not in
another, and a held-out set that leaks into training measures nothing. These checks are cheap
(no training) and can also be run directly: `.venv/bin/python tests/nlu/test_nlu_data.py`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "data" / "nlu"
HOLDOUT = ROOT / "tests" / "nlu" / "holdout.yml"

CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "help", "restart",
    "out_of_scope", "dont_know",
    "start_diagnostic", "describe_problem", "inform",
    "ask_what_to_outsource", "ask_service", "ask_what_to_keep", "ask_risks",
    "ask_how_to_start", "ask_example", "ask_cost",
    "request_report", "request_contact", "request_data_deletion",
}  # fmt: skip
SERVICE_IDS = {"user_support", "infrastructure", "security", "monitoring", "governance"}
MIN_DIAGNOSTIC_OR_QUESTION = 25
MIN_OTHER = 15
MIN_HOLDOUT = 6
DIAGNOSTIC_OR_QUESTION = {
    "start_diagnostic", "describe_problem", "inform", "ask_what_to_outsource", "ask_service",
    "ask_what_to_keep", "ask_risks", "ask_how_to_start", "ask_example", "ask_cost",
}  # fmt: skip


@cache
def _load(path: str):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(path)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^\w']+", " ", text).strip()


def _counts(td) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in td.intent_examples:
        counts[example.get("intent")] = counts.get(example.get("intent"), 0) + 1
    return counts


def _unannotated_service_forms(td, synonyms: dict[str, str]) -> list[str]:
    """Service surface forms that occur in an example outside any annotated span."""
    forms = sorted(synonyms, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.I)
    problems = []
    for example in td.intent_examples:
        text = example.get("text")
        spans = [(e["start"], e["end"]) for e in example.get("entities") or []]
        for match in pattern.finditer(text):
            inside = any(s <= match.start() and match.end() <= e for s, e in spans)
            if not inside:
                problems.append(f"{example.get('intent')}: {text!r} ({match.group(0)!r})")
    return problems


def test_training_has_every_contract_intent_with_enough_examples() -> None:
    counts = _counts(_load(str(TRAIN_DIR)))
    assert set(counts) >= CONTRACT_INTENTS, CONTRACT_INTENTS - set(counts)
    for intent in CONTRACT_INTENTS:
        low = MIN_DIAGNOSTIC_OR_QUESTION if intent in DIAGNOSTIC_OR_QUESTION else MIN_OTHER
        assert counts[intent] >= low, (intent, counts[intent])


def test_holdout_has_every_contract_intent() -> None:
    counts = _counts(_load(str(HOLDOUT)))
    for intent in CONTRACT_INTENTS:
        assert counts.get(intent, 0) >= MIN_HOLDOUT, (intent, counts.get(intent, 0))


def test_service_synonyms_map_to_contract_ids() -> None:
    td = _load(str(TRAIN_DIR))
    assert set(td.entity_synonyms.values()) == SERVICE_IDS
    synonyms = {k.lower(): v for k, v in td.entity_synonyms.items()}  # as EntitySynonymMapper
    for path in (str(TRAIN_DIR), str(HOLDOUT)):
        for example in _load(path).intent_examples:
            for entity in example.get("entities") or []:
                assert entity["entity"] == "service", entity
                value = synonyms.get(entity["value"].lower(), entity["value"])
                assert value in SERVICE_IDS, (example.get("text"), entity["value"])


def test_service_forms_are_annotated_everywhere() -> None:
    synonyms = _load(str(TRAIN_DIR)).entity_synonyms
    problems = []
    for path in (str(TRAIN_DIR), str(HOLDOUT)):
        problems += _unannotated_service_forms(_load(path), synonyms)
    assert not problems, "\n".join(problems)


def test_holdout_does_not_leak_into_training() -> None:
    train = {_norm(e.get("text")) for e in _load(str(TRAIN_DIR)).intent_examples}
    holdout = _load(str(HOLDOUT)).intent_examples
    leaked = [e.get("text") for e in holdout if _norm(e.get("text")) in train]
    assert not leaked, leaked


def test_no_example_has_two_intents() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for example in _load(str(TRAIN_DIR)).intent_examples:
        key = _norm(example.get("text"))
        if key in seen and seen[key] != example.get("intent"):
            clashes.append((example.get("text"), seen[key], example.get("intent")))
        seen[key] = example.get("intent")
    assert not clashes, clashes


if __name__ == "__main__":
    import sys

    failed = 0
    for name, func in sorted(globals().items()):
        if name.startswith("test_") and callable(func):
            try:
                func()
                print(f"ok    {name}")
            except AssertionError as error:
                failed += 1
                print(f"FAIL  {name}\n{error}")
    sys.exit(1 if failed else 0)
