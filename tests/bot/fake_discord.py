"""A loopback fake of Discord's REST API and gateway that the real discord.py client talks to.

Point ``discord.http.Route.BASE`` at :attr:`FakeDiscord.api_base` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` at :attr:`FakeDiscord.gateway_url`. The
server runs on its own thread and event loop, so it serves a bot in the test process or in a
subprocess alike; every method the tests call is thread-safe.

What it does like Discord: login (``GET /users/@me``), the gateway (HELLO, heartbeats, IDENTIFY
→ READY + GUILD_CREATE, RESUME → replay of missed events + RESUMED, RECONNECT), application info,
command sync, interactions and their callback (a second callback is refused with 40060),
followups and edits through the interaction webhook, channel messages with ``enforce_nonce``
(a retried create with the same nonce returns the first message), edits, typing, DM channels.
JSON bodies go out with ``Content-Type: application/json`` exactly, as discord.py requires.
Every REST route has a rate-limit bucket with ``X-RateLimit-*`` headers; going over it gets a
429 like Discord's. :meth:`add_fault` makes chosen requests answer 429 or 5xx; every request
is logged with its status.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import yarl
from aiohttp import WSMsgType, web

from tests.bot import fake_payloads as p
from tests.bot.fake_rest import FakeRest
from tests.bot.fake_state import Interaction

TOKEN = "fake-bot-token"
HEARTBEAT_MS = 41_250


@dataclass
class _Gateway:
    ws: web.WebSocketResponse | None = None
    session_id: str | None = None
    seq: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    identifies: int = 0
    resumes: int = 0


class FakeDiscord(FakeRest):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._gw = _Gateway()

    # Life cycle ---------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/gateway/")

    def start(self) -> FakeDiscord:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _stop(self) -> None:
        self._release.set()
        if self._gw.ws is not None:
            await self._gw.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # What tests do ------------------------------------------------------------------------

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event now (or, while the bot is disconnected, on its RESUME)."""
        self._call(self._dispatch(event, data))

    def send_message(
        self,
        content: str,
        author_id: int,
        *,
        channel_id: int | None = None,
        dm: bool = False,
        bot: bool = False,
        mention_bot: bool = False,
    ) -> str:
        """A message typed by ``author_id`` in a guild channel (default: the bot's) or a DM."""
        message_id = p.snowflake()
        if dm:
            channel = self.dm_channel_for(author_id)
            guild_id = None
        else:
            channel, guild_id = channel_id or self.channel_id, self.guild_id
        author = p.user(author_id, bot=bot)
        data = p.message(message_id, channel, author, {"content": content}, guild_id)
        if mention_bot:
            data["mentions"] = [p.user(self.bot_id, bot=True)]
        if guild_id is not None:
            data["member"] = p.member(None)
        self.dispatch("MESSAGE_CREATE", data)
        return message_id

    def run_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user_id: int | None = None,
        where: str = "guild",
        focused: str | None = None,
    ) -> Interaction:
        """Invoke ``/name`` (``where``: guild, dm, user_install); ``focused``: autocomplete."""
        kind = p.AUTOCOMPLETE if focused else p.APPLICATION_COMMAND
        command = self.command(name)
        types = {o["name"]: o["type"] for o in command.get("options", [])}
        opts = []
        for key, value in (options or {}).items():
            opt = {"name": key, "type": types.get(key, p.STRING), "value": value}
            if key == focused:
                opt["focused"] = True
            opts.append(opt)
        data = {"id": command["id"], "name": name, "type": 1, "options": opts}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._interact(kind, data, user_id, where)

    def press(
        self, message_id: str, custom_id: str, *, user_id: int | None = None, where: str = "guild"
    ) -> Interaction:
        """Click the button ``custom_id`` on a message the bot sent."""
        msg = self.message(message_id)
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interact(p.MESSAGE_COMPONENT, data, user_id, where, msg)

    def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        user_id: int | None,
        where: str,
        message: dict[str, Any] | None = None,
    ) -> Interaction:
        uid = self.owner_id if user_id is None else user_id
        token = f"tok{next(self._tokens)}"
        if where == "guild":
            channel: dict[str, Any] = p.text_channel(self.channel_id, self.guild_id, "assistant")
            guild_id, context, by_user = self.guild_id, p.GUILD, False
        elif where == "dm":
            channel = p.dm_channel(self.dm_channel_for(uid), uid, self.bot_id)
            guild_id, context, by_user = None, p.BOT_DM, False
        elif where == "user_install":
            channel = p.dm_channel(self.dm_channel_for(uid) + 777, uid, uid + 1)
            guild_id, context, by_user = None, p.PRIVATE_CHANNEL, True
        else:
            raise ValueError(f"unknown place {where!r}")
        if message is not None and guild_id is not None:
            message = {**message, "guild_id": str(guild_id)}
        payload = p.interaction(
            kind,
            self.app_id,
            token,
            uid,
            data,
            guild_id=guild_id,
            channel=channel,
            context=context,
            installed_by_user=by_user,
            message=message,
        )
        record = Interaction(payload["id"], token, kind, data, int(channel["id"]))
        record.message_id = message["id"] if message is not None else None
        with self.lock:
            self.interactions[token] = record
        self.dispatch("INTERACTION_CREATE", payload)
        return record

    def force_reconnect(self) -> None:
        """Ask the bot to reconnect (gateway opcode 7); it resumes its session."""
        self._call(self._send_op({"op": 7, "d": None}))

    def drop_gateway(self) -> None:
        """Close the gateway connection abruptly, as a network failure would."""
        self._call(self._drop())

    def hold_message_posts(self, after: int) -> None:
        """The message create after ``after`` more is stored but never answered, until
        :meth:`release` (the client sees a hang after Discord accepted the message)."""
        self._call(self._set_hold(after))

    def release(self) -> None:
        self._call(self._set_release())

    async def _set_hold(self, after: int) -> None:
        self._hold_after = after
        self._release = asyncio.Event()
        self.held.clear()

    async def _set_release(self) -> None:
        self._hold_after = None
        self._release.set()

    @property
    def identifies(self) -> int:
        return self._gw.identifies

    @property
    def resumes(self) -> int:
        return self._gw.resumes

    def connected(self) -> bool:
        return self._gw.ws is not None and not self._gw.ws.closed

    # The gateway --------------------------------------------------------------------------

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        gw = self._gw
        gw.seq += 1
        frame = {"op": 0, "t": event, "s": gw.seq, "d": data}
        gw.history.append(frame)
        if gw.ws is not None and not gw.ws.closed:
            await gw.ws.send_str(json.dumps(frame))

    async def _send_op(self, frame: dict[str, Any]) -> None:
        if self._gw.ws is not None and not self._gw.ws.closed:
            await self._gw.ws.send_str(json.dumps(frame))

    async def _drop(self) -> None:
        ws, self._gw.ws = self._gw.ws, None
        if ws is not None:
            await ws.close(code=4000, message=b"dropped")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, data = frame.get("op"), frame.get("d")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, data)
            elif op == 6:
                await self._resume(ws, data)
        if self._gw.ws is ws:
            self._gw.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        gw = self._gw
        gw.identifies += 1
        gw.session_id, gw.history, gw.ws = f"session{gw.identifies}", [], ws
        ready = {
            "v": 10,
            "user": p.user(self.bot_id, bot=True, name="myorg"),
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": gw.session_id,
            "resume_gateway_url": str(self.gateway_url),
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self._dispatch("READY", ready)
        channels = [
            p.text_channel(self.channel_id, self.guild_id, "assistant"),
            p.text_channel(self.other_channel_id, self.guild_id, "general", 1),
        ]
        await self._dispatch("GUILD_CREATE", p.guild(self.guild_id, self.bot_id, channels))

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        gw = self._gw
        if data.get("token") != self.token or data.get("session_id") != gw.session_id:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        gw.resumes += 1
        gw.ws = ws
        seen = int(data.get("seq") or 0)
        for frame in gw.history:
            if frame["s"] > seen:
                await ws.send_str(json.dumps(frame))
        await self._dispatch("RESUMED", {})
