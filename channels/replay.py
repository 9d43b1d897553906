"""Remembering what was accepted recently, so that a request captured and sent again is refused
(Slack signatures and message ids, Bot Framework activity ids)."""
from __future__ import annotations

from collections import OrderedDict
from typing import Optional


class SeenRecently:
    """Keys seen recently (signatures, message and activity ids), each remembered for at most
    ``max_age`` seconds, at most ``max_size`` of them (the oldest are forgotten first)."""

    def __init__(self, max_age: float, max_size: int = 10_000) -> None:
        self.max_age = max_age
        self.max_size = max_size
        self._seen: "OrderedDict[str, float]" = OrderedDict()  # key -> when it is forgotten, oldest first

    def add(self, key: str, now: float, until: Optional[float] = None) -> bool:
        """Remember ``key`` until ``until`` (at the latest ``max_age`` from now); False if it is remembered already."""
        # Evicting from the front suffices: expiry times follow insertion order, or nearly (one window per
        # user of this class; Bot Framework tokens all live about as long), and an expired entry left
        # further back counts as absent below.
        while self._seen and (next(iter(self._seen.values())) < now or len(self._seen) >= self.max_size):
            self._seen.popitem(last=False)
        if self._seen.get(key, float("-inf")) >= now:
            return False
        self._seen.pop(key, None)  # expired: remembered anew, at the end
        latest = now + self.max_age
        self._seen[key] = latest if until is None else min(until, latest)
        return True
