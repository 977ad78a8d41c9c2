"""French text analysis shared by signal detection and fact extraction.

Text is lemmatised once with spaCy (``fr_core_news_md``, loaded lazily, parser and NER excluded),
then every token keeps two normalised forms (surface and lemma: casefolded, accents stripped,
’ unified with '). Patterns written in the YAML content are matched against either form, with
prefixes (``sauvegard*``), alternatives (``serveur*|server*``), bounded gaps (``...``), small
typos on long words, and negation scopes (``on n'a jamais eu de panne``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SPACY_MODEL = "fr_core_news_md"
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
GAP_TOKEN = "..."
_WORD_SPLIT = re.compile(r"[-'/]+")


def normalize(text: str) -> str:
    """Matching form of a text: casefolded, accents stripped, apostrophes unified."""
    # Compatibility forms first: « 𝑨 » (mathematical capital) only becomes « A » under NFKD, and
    # must then be casefolded like any capital, or normalizing twice would change the text.
    text = unicodedata.normalize("NFKD", text)
    text = text.translate(APOSTROPHES).casefold().translate(LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The spaCy French pipeline, loaded once on first use (about 1 to 4 s)."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["parser", "ner", "senter"])


@dataclass(frozen=True)
class Token:
    form: str
    lemma: str
    is_punct: bool = False
    known: bool = True  # a word of the model's vocabulary: never treated as a typo
    key: str = ""  # the word as the model's vectors know it (lemma, accents kept); "" if none


def _split_forms(form: str, lemma: str) -> list[tuple[str, str]]:
    """Split hyphenated or elided pieces (``multi-sites``, ``aujourd'hui``) into words."""
    parts = [part for part in _WORD_SPLIT.split(form) if part]
    if len(parts) <= 1:
        return [(form.strip("'-"), lemma.strip("'-") or form.strip("'-"))]
    lemma_parts = [part for part in _WORD_SPLIT.split(lemma) if part]
    if len(lemma_parts) != len(parts):
        lemma_parts = parts
    return list(zip(parts, lemma_parts, strict=True))


def _vector_key(item: Any) -> str:
    """Lemma (else the word itself) in the form the model has a vector for, or ""."""
    vectors = item.vocab.vectors
    for candidate in (item.lemma_.casefold(), item.lower_):
        if candidate and vectors.find(key=candidate) >= 0:
            return candidate
    return ""


@lru_cache(maxsize=512)
def analyze(text: str) -> tuple[Token, ...]:
    """Tokens of ``text`` with normalised surface forms and lemmas (cached per text)."""
    doc = nlp()(text.translate(APOSTROPHES))
    tokens: list[Token] = []
    for item in doc:
        if item.is_space:
            continue
        if item.is_punct and item.text not in {"'", "-"}:
            tokens.append(Token(normalize(item.text), normalize(item.text), True))
            continue
        known = not item.is_oov
        pieces = _split_forms(normalize(item.text), normalize(item.lemma_))
        key = _vector_key(item) if len(pieces) == 1 else ""
        for form, lemma in pieces:
            if form:
                tokens.append(Token(form, lemma or form, known=known, key=key))
    return tuple(tokens)


def damerau_within_one(left: str, right: str) -> bool:
    """True when the two words differ by at most one edit (insert, delete, substitute, swap)."""
    if left == right:
        return True
    if abs(len(left) - len(right)) > 1:
        return False
    if len(left) == len(right):
        diffs = [index for index, (a, b) in enumerate(zip(left, right, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and left[diffs[0]] == right[diffs[1]]
            and left[diffs[1]] == right[diffs[0]]
        )
    shorter, longer = (left, right) if len(left) < len(right) else (right, left)
    return any(longer[:index] + longer[index + 1 :] == shorter for index in range(len(longer)))


@dataclass(frozen=True)
class Matcher:
    """Matching settings read from ``content/matching.yml``."""

    default_gap: int
    ellipsis_gap: int
    fuzzy_min_length: int
    negation_window: int
    negation_cues: frozenset[str]
    post_negation_cues: frozenset[str]
    weak_negation_cues: frozenset[str]
    negation_exceptions: tuple[tuple[str, ...], ...]
    clause_breaks: frozenset[str]
    scope_breaks: frozenset[str]

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> Matcher:
        return cls(
            default_gap=int(data["default_gap"]),
            ellipsis_gap=int(data["ellipsis_gap"]),
            fuzzy_min_length=int(data["fuzzy_min_length"]),
            negation_window=int(data["negation_window"]),
            negation_cues=frozenset(normalize(cue) for cue in data["negation_cues"]),
            post_negation_cues=frozenset(normalize(cue) for cue in data["post_negation_cues"]),
            weak_negation_cues=frozenset(normalize(cue) for cue in data["weak_negation_cues"]),
            negation_exceptions=tuple(parse_pattern(item) for item in data["negation_exceptions"]),
            clause_breaks=frozenset(normalize(word) for word in data["clause_breaks"]),
            scope_breaks=frozenset(normalize(word) for word in data["scope_breaks"]),
        )

    # -- word level -------------------------------------------------------------------------

    def word_matches(self, alternative: str, token: Token) -> bool:
        exact, prefixes = _compile_alternative(alternative)
        form, lemma = token.form, token.lemma
        # Hot path (hundreds of thousands of calls per message): no generator here.
        if form in exact or lemma in exact:
            return True
        if prefixes and (form.startswith(prefixes) or lemma.startswith(prefixes)):
            return True
        if token.known:
            return False
        forms = (form, lemma)
        # Out-of-vocabulary word: maybe a typo of a long enough term (one edit away).
        for form in forms:
            for word in exact:
                if len(word) >= self.fuzzy_min_length and damerau_within_one(word, form):
                    return True
            for prefix in prefixes:
                if len(prefix) >= self.fuzzy_min_length and any(
                    damerau_within_one(prefix, form[:size])
                    for size in (len(prefix) - 1, len(prefix), len(prefix) + 1)
                    if size <= len(form)
                ):
                    return True
        return False

    def is_cue_word(self, alternative: str) -> bool:
        return any(option.rstrip("*") in self.negation_cues for option in alternative.split("|"))

    # -- clause level ------------------------------------------------------------------------

    def clauses(self, tokens: Sequence[Token]) -> list[list[Token]]:
        """Split on punctuation and on words that open a new clause (``mais``, ``et``...)."""
        result: list[list[Token]] = [[]]
        for token in tokens:
            if token.is_punct or token.form in self.clause_breaks:
                if result[-1]:
                    result.append([])
                continue
            result[-1].append(token)
        return [clause for clause in result if clause]

    def find(self, pattern: Sequence[str], clause: Sequence[Token]) -> list[tuple[int, int]]:
        """Spans (start, end inclusive) where ``pattern`` occurs in the clause."""
        spans = []
        first = pattern[0]
        exact, prefixes = _compile_alternative(first)
        for start, token in enumerate(clause):
            # word_matches inlined for the words of the vocabulary (the hot path: every word of
            # the message against every pattern); other words take the full check with typos.
            form, lemma = token.form, token.lemma
            if (
                form in exact
                or lemma in exact
                or (prefixes and (form.startswith(prefixes) or lemma.startswith(prefixes)))
                or (not token.known and self.word_matches(first, token))
            ):
                end = self._extend(pattern, 1, clause, start)
                if end is not None:
                    spans.append((start, end))
        return spans

    def _extend(
        self, pattern: Sequence[str], index: int, clause: Sequence[Token], position: int
    ) -> int | None:
        if index == len(pattern):
            return position
        gap = self.default_gap
        if pattern[index] == GAP_TOKEN:
            gap = self.ellipsis_gap
            index += 1
        for next_position in range(position + 1, min(len(clause), position + gap + 2)):
            if self.word_matches(pattern[index], clause[next_position]):
                end = self._extend(pattern, index + 1, clause, next_position)
                if end is not None:
                    return end
        return None

    def negation_positions(self, clause: Sequence[Token]) -> set[int]:
        """Positions of negation cues, minus those inside idioms such as ``pas mal``."""
        excluded: set[int] = set()
        for exception in self.negation_exceptions:
            for start, end in self.find(exception, clause):
                excluded.update(range(start, end + 1))
        return {
            position
            for position, token in enumerate(clause)
            if token.form in self.negation_cues and position not in excluded
        }

    def matches(self, pattern: Sequence[str], tokens: Sequence[Token]) -> int:
        """Length of the longest non-negated occurrence of ``pattern`` (0 when none)."""
        return self._matches(tuple(pattern), _clauses_with_cues(self, tuple(tokens)))

    def _matches(
        self,
        pattern: tuple[str, ...],
        analysis: tuple[tuple[list[Token], frozenset[int]], ...],
    ) -> int:
        negation_bearing = _negation_bearing(self, pattern)
        best = 0
        for clause, clause_cues in analysis:
            cues = () if negation_bearing else clause_cues
            for start, end in self.find(pattern, clause):
                if any(self._negates(cue, start, end, clause) for cue in cues):
                    continue
                if not negation_bearing and self._negated_after(start, end, clause):
                    continue
                best = max(best, end - start + 1)
        return best

    def _negated_after(self, start: int, end: int, clause: Sequence[Token]) -> bool:
        """« ne plantent pas », « plante pas » : the negation closes after the matched words."""
        after = [token.form for token in clause[end + 1 : end + 3]]
        if after[:1] and after[0] in self.post_negation_cues and after[0] != "plus":
            return True
        window = clause[max(0, start - 2) : end + 1]
        has_ne = any(token.form in self.weak_negation_cues for token in window)
        return has_ne and any(form in self.post_negation_cues for form in after)

    def _negates(self, cue: int, start: int, end: int, clause: Sequence[Token]) -> bool:
        """A cue negates a span it sits in, or one that follows it closely in the same scope."""
        if start <= cue <= end:
            return True
        if not start - self.negation_window <= cue < start:
            return False
        return not any(token.form in self.scope_breaks for token in clause[cue + 1 : start])

    def best_match(self, patterns: Iterable[Sequence[str]], tokens: Sequence[Token]) -> int:
        analysis = _clauses_with_cues(self, tuple(tokens))
        return max((self._matches(tuple(pattern), analysis) for pattern in patterns), default=0)


@lru_cache(maxsize=4096)
def _compile_alternative(alternative: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """``"serveur*|nas"`` -> ``({"nas"}, ("serveur",))``: exact words and prefixes."""
    options = alternative.split("|")
    exact = frozenset(option for option in options if not option.endswith("*"))
    prefixes = tuple(option[:-1] for option in options if option.endswith("*"))
    return exact, prefixes


@lru_cache(maxsize=4096)
def _negation_bearing(matcher: Matcher, pattern: tuple[str, ...]) -> bool:
    return any(matcher.is_cue_word(word) for word in pattern if word != GAP_TOKEN)


@lru_cache(maxsize=256)
def _clauses_with_cues(
    matcher: Matcher, tokens: tuple[Token, ...]
) -> tuple[tuple[list[Token], frozenset[int]], ...]:
    """Clauses of a text and their negation cues, computed once per text."""
    return tuple(
        (clause, frozenset(matcher.negation_positions(clause)))
        for clause in matcher.clauses(tokens)
    )


def parse_pattern(pattern: str) -> tuple[str, ...]:
    """``"souci* ... sauvegard*"`` -> ``("souci*", "...", "sauvegard*")`` in matching form."""
    words: list[str] = []
    for raw in normalize(pattern).split():
        if raw == GAP_TOKEN:
            words.append(GAP_TOKEN)
            continue
        pieces = [piece for piece in re.split(r"['\-]+", raw) if piece]
        if "|" in raw:
            pieces = [raw.replace("'", "").replace("-", "")]
        words.extend(pieces)
    if not words or words[0] == GAP_TOKEN or words[-1] == GAP_TOKEN:
        raise ValueError(pattern)
    return tuple(words)
