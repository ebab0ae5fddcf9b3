"""Keeps one MQTT connection alive: a fresh `Client` per attempt, backoff between attempts.

The supervisor owns reconnection; nothing else retries. A session function runs while the
connection lives; when the connection ends (a `LinkError`), the supervisor waits out the
backoff and builds a new client. Backoff resets only after a session that stayed up for
`stable_after` seconds, so two processes fighting over one certificate (each kicking the
other) back off instead of spinning.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable

from mqtt.client import Client
from mqtt.errors import LinkError

log = logging.getLogger(__name__)


class Backoff:
    """Exponential backoff with full jitter, capped."""

    def __init__(self, initial: float = 0.5, maximum: float = 30.0, factor: float = 2.0, rng: random.Random | None = None) -> None:
        if not 0 < initial <= maximum:
            raise ValueError(f"backoff needs 0 < initial ({initial}) <= maximum ({maximum})")
        self.initial, self.maximum, self.factor = initial, maximum, factor
        self._ceiling = initial
        self._rng = rng or random.Random()

    def next(self) -> float:
        delay = self._rng.uniform(self._ceiling / 2, self._ceiling)
        self._ceiling = min(self.maximum, self._ceiling * self.factor)
        return delay

    def reset(self) -> None:
        self._ceiling = self.initial


class Supervisor:
    def __init__(
        self,
        make_client: Callable[[], Client],
        session: Callable[[Client], Awaitable[None]],
        *,
        backoff: Backoff | None = None,
        stable_after: float = 10.0,
        name: str = "link",
    ) -> None:
        self._make = make_client
        self._session = session
        self.backoff = backoff or Backoff()
        self.stable_after = stable_after
        self.name = name
        self.connected = asyncio.Event()
        self.attempts = 0
        self.sessions = 0
        self.last_error: LinkError | None = None
        self.client: Client | None = None

    async def run(self) -> None:
        """Connect, run the session, reconnect on link errors; returns when a session returns."""
        while True:
            self.attempts += 1
            client = self._make()
            started = None
            try:
                async with client:
                    started = time.monotonic()
                    self.sessions += 1
                    self.client = client
                    self.connected.set()
                    log.info("%s: connected (attempt %d)", self.name, self.attempts)
                    await self._run_session(client)
                    return
            except LinkError as err:
                self.last_error = err
                log.warning("%s: %s", self.name, err)
            except ExceptionGroup as group:
                # Sessions run parts in a TaskGroup; a lost connection surfaces from all of them.
                links, others = group.split(LinkError)
                if others is not None or links is None:
                    raise
                self.last_error = _first(links)
                log.warning("%s: %s", self.name, self.last_error)
            finally:
                self.connected.clear()
                self.client = None
            if started is not None and time.monotonic() - started >= self.stable_after:
                self.backoff.reset()
            delay = self.backoff.next()
            log.info("%s: reconnecting in %.2fs", self.name, delay)
            await asyncio.sleep(delay)


    async def _run_session(self, client: Client) -> None:
        # The session runs in its own task so that a cancel of ours stays a cancel: awaited
        # directly, a cancel landing while the session's TaskGroup fails with link errors comes
        # back as those errors, and we would reconnect instead of stopping.
        inner = asyncio.create_task(self._session(client), name=f"{self.name} session")
        try:
            await asyncio.wait({inner})
        except asyncio.CancelledError:
            inner.cancel()
            await asyncio.wait({inner})
            if not inner.cancelled():
                inner.exception()  # retrieved: we are stopping, its failure no longer matters
            raise
        inner.result()


def _first(group: BaseExceptionGroup[LinkError]) -> LinkError:
    exc = group.exceptions[0]
    return _first(exc) if isinstance(exc, BaseExceptionGroup) else exc
