"""kombu's Redis transport, keeping one client object per channel instead of one per command.

kombu builds a new ``redis.Redis`` object for each publish and each acknowledgement (the
connection itself comes from the channel's pool either way). With redis-py 8 building one costs
about 0.1 ms, since every object copies the table of response callbacks; a worker pays it five
times per message (three task events, recording the message as unacknowledged, the ack), which
measured half a millisecond of the repo worker's main process per edit. A ``redis.Redis`` is
safe to share: it takes a connection from the pool for each command. The cached client follows
the channel's pool, so after kombu drops the pool (a lost connection) a new one is made.

:func:`use_shared_client_transport` makes it the transport of ``redis://`` and ``rediss://``
URLs in this process (kombu looks transports up by URL scheme in ``TRANSPORT_ALIASES``), so the
URL and everything that reads it (Flower's broker page, the worker's banner) stay as they are.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis

TRANSPORT = "worker.redis_transport:Transport"


class Channel(kombu_redis.Channel):
    _shared_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        client = self._shared_client
        if client is None or client.connection_pool is not self.pool:
            client = self._shared_client = super()._create_client()
        return client


class Transport(kombu_redis.Transport):
    Channel = Channel


def use_shared_client_transport() -> None:
    """Resolve ``redis://`` and ``rediss://`` broker URLs to :class:`Transport` (idempotent)."""
    for scheme in ("redis", "rediss"):
        TRANSPORT_ALIASES[scheme] = TRANSPORT
