"""Second detection stage: word-vector similarity with each signal's key terms.

The patterns of ``signals.yml`` are precise but only know the words written in them. This stage
catches paraphrases: a signal fires when one clause holds, for every concept of one of its rules
(« un équipement » + « une défaillance »), a distinct word whose ``fr_core_news_md`` vector is
close enough to one of the concept's key terms. Negated words (same negation scopes as the
patterns) never count. Terms, rules and the threshold live in ``matching.yml`` (``similarity``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Any

import numpy as np

from .text import Matcher, Token, _clauses_with_cues, nlp, normalize


@dataclass(frozen=True)
class Rule:
    signal: str
    concepts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SimilarityStage:
    threshold: float
    min_length: int
    ignored: frozenset[str]
    rules: tuple[Rule, ...]

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> SimilarityStage:
        rules = tuple(
            Rule(signal, tuple(tuple(concept) for concept in concepts))
            for signal, rule_list in data.get("rules", {}).items()
            for concepts in rule_list
        )
        return cls(
            threshold=float(data["threshold"]),
            min_length=int(data["min_length"]),
            ignored=frozenset(normalize(word) for word in data.get("ignored", ())),
            rules=rules,
        )

    def detect(self, matcher: Matcher, tokens: Sequence[Token]) -> set[str]:
        """Signal ids whose rules are satisfied in one clause of ``tokens``."""
        if not self.rules:
            return set()
        found: set[str] = set()
        for clause, cues in _clauses_with_cues(matcher, tuple(tokens)):
            positions = [
                index
                for index, token in enumerate(clause)
                if self._is_content(matcher, token)
                and not any(matcher._negates(cue, index, index, clause) for cue in cues)
                and not matcher._negated_after(index, index, clause)
            ]
            vectors = [_unit_vector(clause[index].key) for index in positions]
            kept = [(p, v) for p, v in zip(positions, vectors, strict=True) if v is not None]
            if not kept:
                continue
            # Similarity of every kept word with every key term: one matrix product per clause.
            scores = _term_matrix(self) @ np.stack([vector for _, vector in kept]).T
            close = scores >= self.threshold
            for rule_index, rule in enumerate(self.rules):
                if rule.signal in found:
                    continue
                per_concept = [
                    {kept[column][0] for column in np.flatnonzero(close[rows].any(axis=0))}
                    for rows in _concept_rows(self)[rule_index]
                ]
                if all(per_concept) and any(
                    len(set(choice)) == len(choice) for choice in product(*per_concept)
                ):
                    found.add(rule.signal)
        return found

    def _is_content(self, matcher: Matcher, token: Token) -> bool:
        return (
            bool(token.key)
            and len(token.form) >= self.min_length
            and token.lemma not in self.ignored
            and token.form not in matcher.negation_cues
        )


@lru_cache(maxsize=8192)
def _unit_vector(key: str) -> np.ndarray | None:
    vector = nlp().vocab.get_vector(key)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None


@lru_cache(maxsize=4)
def _term_matrix(stage: SimilarityStage) -> np.ndarray:
    """Unit vectors of every key term of every rule, stacked (zeros for unknown terms)."""
    rows = [
        _unit_vector(term) for rule in stage.rules for concept in rule.concepts for term in concept
    ]
    width = nlp().vocab.vectors.shape[1]
    return np.stack([row if row is not None else np.zeros(width) for row in rows])


@lru_cache(maxsize=4)
def _concept_rows(stage: SimilarityStage) -> tuple[tuple[list[int], ...], ...]:
    """For each rule, for each concept, the rows of ``_term_matrix`` holding its terms."""
    result = []
    row = 0
    for rule in stage.rules:
        concepts = []
        for concept in rule.concepts:
            concepts.append(list(range(row, row + len(concept))))
            row += len(concept)
        result.append(tuple(concepts))
    return tuple(result)
