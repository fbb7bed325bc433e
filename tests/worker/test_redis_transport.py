"""The broker transport: kombu's Redis transport with one client object per channel."""

from __future__ import annotations

from kombu import Connection, Exchange, Queue

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
