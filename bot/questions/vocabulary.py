"""What question choice needs of a vocabulary, worked out once per vocabulary."""
from __future__ import annotations

import threading
from typing import Any, Dict, List, Set, Tuple

from bot.facts import AnsweredBy, FactType, Vocabulary

PATIENT_TIER = 0  # the person's own facts: AnsweredBy.PATIENT's place in AnsweredBy


class VocabularyInfo:
    """What question choice needs of a vocabulary: who answers each fact, topics, implications."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        order = list(AnsweredBy)
        self.tier: Dict[str, int] = {k: order.index(d.answered_by) for k, d in vocabulary.items()}
        self.askable: Set[str] = {k for k, d in vocabulary.items() if d.askable}
        self.topics: Dict[str, List[str]] = {}
        for key, definition in vocabulary.items():
            if definition.topic and definition.type is FactType.BOOLEAN:
                self.topics.setdefault(definition.topic, []).append(key)
        # fact -> what its values imply: [(implied fact, when equal to, value)]
        self.implies: Dict[str, List[Tuple[str, Any, Any]]] = {}
        for key, definition in vocabulary.items():
            for implication in definition.implied_by:
                self.implies.setdefault(implication.fact, []).append((key, implication.equals, implication.value))
        self.implied_by: Dict[str, Tuple[str, ...]] = {}  # fact -> the facts that can imply it, transitively
        for target in {t for pairs in self.implies.values() for t, _, _ in pairs}:
            found: List[str] = []
            frontier = [target]
            while frontier:
                current = frontier.pop()
                for source, pairs in self.implies.items():
                    if source not in found and source != target and any(t == current for t, _, _ in pairs):
                        found.append(source)
                        frontier.append(source)
            self.implied_by[target] = tuple(sorted(found))


_INFO_LOCK = threading.Lock()
_INFO: Dict[int, Tuple[Vocabulary, int, VocabularyInfo]] = {}


def vocabulary_info(vocabulary: Vocabulary) -> VocabularyInfo:
    with _INFO_LOCK:
        cached = _INFO.get(id(vocabulary))
        if cached is not None and cached[0] is vocabulary and cached[1] == len(vocabulary):
            return cached[2]
    info = VocabularyInfo(vocabulary)
    with _INFO_LOCK:
        if len(_INFO) > 8:
            _INFO.clear()
        _INFO[id(vocabulary)] = (vocabulary, len(vocabulary), info)
    return info
