"""Typo-tolerant lookup of folded place keys: one edit (insert, delete, substitute, swap).

A symmetric-deletion index (as in SymSpell) finds candidates without scanning every key;
each candidate is then checked with the optimal-string-alignment distance.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Set


def _deletions(key: str) -> Set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))} | {key}


def osa_distance(a: str, b: str) -> int:
    """Levenshtein distance where swapping two neighbouring letters costs one edit."""
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class OneEditIndex:
    def __init__(self, keys: Iterable[str], min_length: int) -> None:
        self.min_length = min_length
        self._by_deletion: Dict[str, Set[str]] = defaultdict(set)
        for key in keys:
            if len(key) >= min_length:
                for variant in _deletions(key):
                    self._by_deletion[variant].add(key)

    def near(self, query: str) -> List[str]:
        """Keys exactly one edit away from `query` (not `query` itself), sorted."""
        if len(query) < self.min_length - 1:
            return []
        candidates = set().union(*(self._by_deletion.get(v, set()) for v in _deletions(query)))
        return sorted(k for k in candidates if k != query and osa_distance(query, k) == 1)
