"""The broker transport: kombu's Redis transport with one client object per channel."""

from __future__ import annotations

import base64
import json
import time

import redis
from kombu import Connection, Exchange, Producer, Queue

from shared.settings import Settings
from worker.app import create_celery_app
from worker.redis_server import RedisServer
from worker.redis_transport import Transport


def test_redis_urls_get_the_transport_that_shares_its_client(redis_server: RedisServer) -> None:
    app = create_celery_app(Settings(_env_file=None, redis_url=redis_server.url))  # type: ignore[call-arg]
    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, Transport)
        assert conn.as_uri().startswith("redis://")  # what Flower and the banner show
        channel = conn.default_channel
        first = channel._create_client()
        assert channel._create_client() is first
        channel._disconnect_pools()  # what kombu does after a fork or a lost connection
        again = channel._create_client()
        assert again is not first and again.connection_pool is channel.pool
    app.close()


def test_messages_go_through_it_both_ways(redis_server: RedisServer) -> None:
    queue = Queue("transport-check", Exchange("transport-check"), "transport-check")
    with Connection(redis_server.url) as conn:
        assert isinstance(conn.transport, Transport)
        with conn.Producer() as producer:
            for n in range(3):
                producer.publish({"n": n}, exchange=queue.exchange, routing_key="transport-check",
                                 declare=[queue], serializer="json")
        got = []
        with conn.SimpleQueue(queue) as simple:
            for _ in range(3):
                message = simple.get(timeout=5)
                got.append(message.payload["n"])
                message.ack()
    assert got == [0, 1, 2]


def _listen(url: str, pattern: str) -> tuple[redis.Redis, redis.client.PubSub]:
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub()
    pubsub.psubscribe(pattern)
    assert pubsub.get_message(timeout=5)["type"] == "psubscribe"
    return client, pubsub


def _received(pubsub: redis.client.PubSub, count: int) -> list[dict[str, object]]:
    got: list[dict[str, object]] = []
    deadline = time.monotonic() + 10
    while len(got) < count and time.monotonic() < deadline:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message is not None:
            envelope = json.loads(message["data"])
            body = envelope["body"]
            if envelope["properties"].get("body_encoding") == "base64":
                body = base64.b64decode(body)
            got.append(json.loads(body))
    return got


def _publish(producer: Producer, exchange: Exchange, n: int) -> None:
    producer.publish({"n": n}, exchange=exchange, declare=[exchange], serializer="json")


def test_fanout_publishes_reach_every_listener_without_waiting_for_replies(
    redis_server: RedisServer,
) -> None:
    """What the worker's task events go through: sent on the channel's own connection, replies
    read later; every message arrives, in order, and no reply is left behind for long."""
    exchange = Exchange("fanout-check", type="fanout")
    client, pubsub = _listen(redis_server.url, "/0.fanout-check*")
    try:
        with Connection(redis_server.url) as conn:
            channel = conn.default_channel
            with conn.Producer(channel) as producer:
                for n in range(200):
                    _publish(producer, exchange, n)
                assert 0 < channel._unread <= 200  # sent; replies not all read
                got = _received(pubsub, 200)
                time.sleep(0.05)
                _publish(producer, exchange, 200)
                assert channel._unread == 1  # the 200 replies, there by now, were read first
                got += _received(pubsub, 1)
                fanout = channel._fanout
        assert channel._fanout is None and not fanout.is_connected  # closed with its channel
    finally:
        pubsub.close()
        client.close()
    assert [m["n"] for m in got] == list(range(201))


def test_a_broken_fanout_connection_falls_back_to_kombus_publish(
    redis_server: RedisServer,
) -> None:
    exchange = Exchange("fanout-broken", type="fanout")
    client, pubsub = _listen(redis_server.url, "/0.fanout-broken*")
    try:
        with Connection(redis_server.url) as conn:
            channel = conn.default_channel
            with conn.Producer(channel) as producer:
                _publish(producer, exchange, 0)
                channel._fanout._sock.close()  # the socket goes away under the channel
                _publish(producer, exchange, 1)
                _publish(producer, exchange, 2)
            got = _received(pubsub, 3)
    finally:
        pubsub.close()
        client.close()
    assert [m["n"] for m in got] == [0, 1, 2]
