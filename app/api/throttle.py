"""Failed authentications per client address, remembered by the process: what auth throttles."""

from __future__ import annotations

import time
from collections import defaultdict, deque

WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000


class FailedAuthentications:
    """Recent failed authentications per client address, in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.failures: defaultdict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str) -> deque[float]:
        times = self.failures[client]
        while times and time.monotonic() - times[0] > WINDOW_SECONDS:
            times.popleft()
        if not times:
            del self.failures[client]
        return times

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None if it may now."""
        times = self._recent(client)
        if len(times) < self.limit:
            return None
        return max(1, int(WINDOW_SECONDS - (time.monotonic() - times[0])) + 1)

    def record(self, client: str) -> None:
        """Count one failure of `client`."""
        if len(self.failures) >= MAX_CLIENTS and client not in self.failures:
            # Bounded memory: forget the client whose last failure is oldest.
            oldest = min(self.failures, key=lambda c: self.failures[c][-1])
            del self.failures[oldest]
        self.failures[client].append(time.monotonic())
