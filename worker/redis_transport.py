"""kombu's Redis transport, with one client object per channel and task events sent without
waiting.

kombu builds a new ``redis.Redis`` object for each publish and each acknowledgement (the
connection itself comes from the channel's pool either way). With redis-py 8 building one costs
0.06 ms here, since every object copies the table of response callbacks; a worker pays it five
times per message (three task events, recording the message as unacknowledged, the ack), which
came to 0.3 ms of the repo worker's main process per edit. A ``redis.Redis`` is
safe to share: it takes a connection from the pool for each command. The cached client follows
the channel's pool, so after kombu drops the pool (a lost connection) a new one is made.

A fanout publish (Celery's task events, the worker's heartbeats, control broadcasts) is a Redis
``PUBLISH``, whose only reply is the number of listeners. kombu waits for it, three times per
task in the worker's main process — about a tenth of a millisecond each, every one of them
between taking a message and taking the next. Here a channel sends them on a connection of its
own and reads the replies later, when they have arrived: before its next publish. Nothing is
lost by that: a ``PUBLISH`` reaches the listeners that are subscribed when Redis runs it, reply
or not. A failure on that connection drops it and publishes the usual way, with kombu's retries.

:func:`use_shared_client_transport` makes it the transport of ``redis://`` and ``rediss://``
URLs in this process (kombu looks transports up by URL scheme in ``TRANSPORT_ALIASES``), so the
URL and everything that reads it (Flower's broker page, the worker's banner) stay as they are.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import redis
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis
from kombu.utils.json import dumps

TRANSPORT = "worker.redis_transport:Transport"
#: Replies left unread at most; past this a publish first reads them all.
MAX_UNREAD = 1000


class Channel(kombu_redis.Channel):
    _shared_client: Any = None
    _fanout: Any = None  # a redis Connection of this channel's own, for fanout publishes
    _fanout_pool: Any = None
    _fanout_pid = 0
    _unread = 0  # PUBLISH replies not read yet

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        client = self._shared_client
        if client is None or client.connection_pool is not self.pool:
            client = self._shared_client = super()._create_client()
        return client

    def _put_fanout(self, exchange: str, message: Any, routing_key: str, **kwargs: Any) -> None:
        if kwargs.get("_publish_batch") is not None:  # a pipelined batch: already one round trip
            super()._put_fanout(exchange, message, routing_key, **kwargs)
            return
        topics = self._get_publish_topics(exchange, routing_key)
        payload = dumps(message)
        try:
            connection = self._fanout_connection()
            self._read_replies(connection, wait=self._unread >= MAX_UNREAD)
            for topic in topics:
                connection.send_command("PUBLISH", topic, payload, check_health=False)
                self._unread += 1
        except (redis.RedisError, OSError):
            self._drop_fanout()
            super()._put_fanout(exchange, message, routing_key, **kwargs)

    def _fanout_connection(self) -> Any:
        """The connection for fanout publishes: taken from the channel's pool (so that closing
        the pool closes it) and kept; a forked child or a new pool takes another."""
        pool = self.pool
        connection = self._fanout
        if connection is None or self._fanout_pid != os.getpid() or self._fanout_pool is not pool:
            self._drop_fanout()
            connection = self._fanout = pool.get_connection()
            self._fanout_pool, self._fanout_pid, self._unread = pool, os.getpid(), 0
        elif not connection.is_connected:  # disconnected by its pool: nothing left to read
            self._unread = 0
        return connection

    def _read_replies(self, connection: Any, wait: bool) -> None:
        """Read the replies that have arrived (all of them when ``wait``)."""
        while self._unread and (wait or connection.can_read(timeout=0)):
            reply = connection.read_response()
            self._unread -= 1
            if isinstance(reply, Exception):
                raise reply

    def _drop_fanout(self) -> None:
        connection, pool = self._fanout, self._fanout_pool
        self._fanout, self._fanout_pool, self._unread = None, None, 0
        if connection is None or self._fanout_pid != os.getpid():
            return  # a parent's connection, in a forked child: not ours to close
        connection.disconnect()  # unread replies must not reach the pool's next user
        with contextlib.suppress(Exception):
            pool.release(connection)

    def close(self) -> None:
        self._drop_fanout()
        super().close()


class Transport(kombu_redis.Transport):
    Channel = Channel


def use_shared_client_transport() -> None:
    """Resolve ``redis://`` and ``rediss://`` broker URLs to :class:`Transport` (idempotent)."""
    for scheme in ("redis", "rediss"):
        TRANSPORT_ALIASES[scheme] = TRANSPORT
