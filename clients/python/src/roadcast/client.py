"""A client for a live roadcast run (`roadcast run --serve`, `roadcast replay`): frames as they are
made, and the control messages of src/io/ControlProtocol.ts as methods.

The server sends each frame as one binary WebSocket message (the frame's MessagePack bytes plus
`wall_ns`) and JSON text messages beside them: `hello` first, then `ack` or `error` for each
control message, `stats`, and `state` when the run stops or goes again. Replies to a client's
messages come in the order it sent them, and a `state` a request causes comes after that
request's `ack`; the methods below rely on both to know when a request has taken effect.

`AsyncClient` is the client for asyncio code; `Client` is the same client for plain code, run on
an event loop of its own.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from types import TracebackType
from typing import Any, Awaitable, Callable, Deque, Dict, Generator, Iterator, List, Optional, Sequence, Type, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import websockets
import websockets.exceptions

from ._errors import ConnectError, ControlError, DisconnectedError, FrameError
from ._frame import Frame, decode_frame
from ._messages import PROTOCOL_VERSION, Hello, Realtime, RunState, Stats
from ._topics import check_patterns, topic_filter

#: The largest WebSocket message accepted: one frame (a 4K camera with every output is ~100 MB).
DEFAULT_MAX_MESSAGE_BYTES = 1 << 30

#: Server messages kept in `messages` (a long run sends a stats message about once a second).
MAX_KEPT_MESSAGES = 1000


_End = object()

# websockets exports connect lazily (10.x: the legacy client; 14+: the new asyncio one, with the
# same arguments used here), which type checkers do not all see through.
_ws_connect: Any = getattr(websockets, "connect")


class AsyncClient:
    """A live run's frames and controls, for asyncio code::

        async with roadcast.AsyncClient("ws://127.0.0.1:8765", topics=["lidar/*"]) as client:
            async for frame in client:
                print(frame.topic, frame.t_ns, frame["points"].shape)

    ``topics`` are topic names or globs (``lidar/*``; ``**`` across segments), all topics when
    None; they go in the URL, so the first frame and every later one is of those topics.
    ``token`` is the server's ``--token``. ``timeout`` bounds the connection, the server's hello
    and the wait for each reply. Iteration ends when the server closes the stream at the end of
    the run. One task at a time may use a client: iteration and the control methods read the
    same connection.
    """

    def __init__(
        self,
        url: str,
        topics: Optional[Sequence[str]] = None,
        token: Optional[str] = None,
        *,
        timeout: float = 10.0,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        patterns = check_patterns(topics) if topics is not None else []
        comma = next((t for t in patterns if "," in t), None)
        if comma is not None:
            raise ValueError(f"topic {comma!r} has a comma, which the URL's topics list cannot hold")
        self._url, self._shown_url = _connect_url(url, patterns, token)
        self._token_given = token is not None
        self._timeout = timeout
        self._max_message_bytes = max_message_bytes
        self._accepts: Callable[[str], bool] = topic_filter(patterns)
        self._ws: Any = None
        self._frames: Deque[Frame] = deque()
        #: Frames of a step() in progress go here instead of to the iteration.
        self._collecting: Optional[List[Frame]] = None
        self._reply: Optional[Dict[str, Any]] = None
        self._ended = False
        self._failure: Optional[BaseException] = None
        # Made in connect(): a lock belongs to the event loop it is first used in.
        self._lock: Optional[asyncio.Lock] = None
        self._hello: Optional[Hello] = None
        #: The run's latest state (None until the run first stops, or a client joins a paused run).
        self.state: Optional[RunState] = None
        #: The latest stats the server sent this client (frames it lost; the run's pacing).
        self.stats: Optional[Stats] = None
        #: The server's latest text messages (hello, acks, errors, stats, states) as dicts, in order.
        self.messages: Deque[Dict[str, Any]] = deque(maxlen=MAX_KEPT_MESSAGES)

    @property
    def url(self) -> str:
        """The server's URL as given, without the token."""
        return self._shown_url

    @property
    def hello(self) -> Hello:
        """The server's hello; set once connected."""
        if self._hello is None:
            raise DisconnectedError(f"not connected to {self._shown_url}: await connect() first")
        return self._hello

    # -- connection -------------------------------------------------------------------------

    async def connect(self) -> "AsyncClient":
        """Connects and returns once the server's hello has arrived (``hello``). Raises
        ConnectError when nothing answers, the server refuses the client (a missing or wrong
        token: ``status`` 401) or no hello comes within ``timeout``."""
        if self._ws is not None:
            return self
        if self._lock is None:
            self._lock = asyncio.Lock()
        try:
            # No keep-alive pings: a Client that is not being iterated runs no event loop, and
            # its pings would go unanswered; the server is the one that ends the stream.
            self._ws = await _ws_connect(
                self._url,
                open_timeout=self._timeout,
                ping_interval=None,
                close_timeout=2,
                max_size=self._max_message_bytes,
                compression=None,
            )
        except websockets.exceptions.InvalidURI:
            raise ValueError(f"not a WebSocket URL: {self._shown_url} (expected ws://HOST:PORT)") from None
        except websockets.exceptions.InvalidHandshake as error:
            raise self._refused(error) from None
        except (asyncio.TimeoutError, TimeoutError):
            raise ConnectError(f"no answer from {self._shown_url} within {self._timeout:g} s") from None
        except OSError as error:
            raise ConnectError(f"cannot connect to {self._shown_url}: {error.strerror or error}") from None
        try:
            await self._wait_hello()
        except BaseException:
            await self._abort()
            raise
        return self

    async def _wait_hello(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        while self._hello is None:
            try:
                data = await asyncio.wait_for(self._ws.recv(), max(0.0, deadline - loop.time()))
            except (asyncio.TimeoutError, TimeoutError):
                raise ConnectError(f"no hello from {self._shown_url} within {self._timeout:g} s: is it a roadcast server?") from None
            except websockets.exceptions.ConnectionClosed as closed:
                raise ConnectError(f"{self._shown_url} closed the connection before its hello ({_close_text(closed)})") from None
            if not isinstance(data, str):
                raise ConnectError(f"{self._shown_url} sent data before its hello: is it a roadcast server?")
            message = self._parse(data)
            if message.get("type") == "error":
                raise ConnectError(f"{self._shown_url} refused the connection: {message.get('message')}")
            if message.get("type") != "hello":
                raise ConnectError(f"{self._shown_url} sent {message.get('type')!r} before its hello: is it a roadcast server?")
            protocol = message.get("protocol")
            if protocol != PROTOCOL_VERSION:
                raise ConnectError(
                    f"{self._shown_url} speaks control protocol {protocol!r}; this package speaks {PROTOCOL_VERSION}"
                )
            self._hello = Hello(
                version=str(message.get("version")),
                protocol=protocol,
                topics=list(message.get("topics") or []),
                subscription=list(message.get("subscription") or []),
            )

    def _refused(self, error: Exception) -> ConnectError:
        status = getattr(error, "status_code", None)
        response = getattr(error, "response", None)
        if status is None and response is not None:
            status = getattr(response, "status_code", None)
        if status == 401:
            if self._token_given:
                return ConnectError(f"{self._shown_url} refused the token given (HTTP 401)", status)
            return ConnectError(f"{self._shown_url} needs a token (HTTP 401): Client(url, token=...)", status)
        if status is not None:
            body = getattr(response, "body", b"") or b""
            reason = body.decode("utf-8", "replace").strip()[:200] if isinstance(body, bytes) else ""
            return ConnectError(f"{self._shown_url} refused the connection: HTTP {status}{f' ({reason})' if reason else ''}", status)
        return ConnectError(f"{self._shown_url} did not accept a WebSocket connection ({error}): is it a roadcast server?")

    async def close(self) -> None:
        """Closes the connection (the run goes on). Idempotent."""
        ws = self._ws
        if ws is None or self._ended:
            self._ended = True
            return
        self._ended = True
        try:
            await ws.close()
        except (OSError, websockets.exceptions.WebSocketException):
            pass

    async def _abort(self) -> None:
        self._ended = True
        if self._ws is not None:
            try:
                await self._ws.close()
            except (OSError, websockets.exceptions.WebSocketException):
                pass

    async def __aenter__(self) -> "AsyncClient":
        return await self.connect()

    async def __aexit__(self, kind: Optional[Type[BaseException]], error: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        await self.close()

    def __await__(self) -> Generator[Any, None, "AsyncClient"]:
        return self.connect().__await__()

    # -- frames ------------------------------------------------------------------------------

    def __aiter__(self) -> "AsyncClient":
        return self

    async def __anext__(self) -> Frame:
        frame = await self.recv()
        if frame is None:
            raise StopAsyncIteration
        return frame

    async def recv(self, timeout: Optional[float] = None) -> Optional[Frame]:
        """The next frame, or None once the server has closed the stream (the run ended).
        Raises TimeoutError when ``timeout`` seconds pass without one."""
        self._check_connected()
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            while self._frames:
                frame = self._frames.popleft()
                # A frame received before a newer subscribe() that no longer asks for it.
                if self._accepts(frame.topic):
                    return frame
            if self._ended:
                if self._failure is not None:
                    raise self._failure
                return None
            if deadline is None:
                await self._read()
            else:
                try:
                    await asyncio.wait_for(self._read(), max(0.0, deadline - loop.time()))
                except asyncio.TimeoutError:
                    raise TimeoutError(f"no frame from {self._shown_url} within {timeout:g} s") from None

    async def _read(self) -> Any:
        """Reads one message: a frame goes to the buffer (or the step being collected), a text
        message updates hello/state/stats/the pending reply. Returns the text message's dict,
        None for a frame, or _End once the connection has closed."""
        if self._ended:
            return _End
        try:
            data = await self._ws.recv()
        except websockets.exceptions.ConnectionClosedOK:
            self._ended = True
            return _End
        except websockets.exceptions.ConnectionClosed as closed:
            self._ended = True
            self._failure = DisconnectedError(f"the connection to {self._shown_url} was lost ({_close_text(closed)})", _close_code(closed))
            raise self._failure from None
        if isinstance(data, str):
            message = self._parse(data)
            self._take(message)
            return message
        try:
            frame = decode_frame(data, f"frame from {self._shown_url}")
        except FrameError as error:
            self._failure = error
            await self._abort()
            raise
        if self._accepts(frame.topic):
            (self._collecting if self._collecting is not None else self._frames).append(frame)
        return None

    def _parse(self, text: str) -> Dict[str, Any]:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            raise DisconnectedError(f"{self._shown_url} sent a text message that is not a JSON object: {text[:80]!r}")
        return message

    def _take(self, message: Dict[str, Any]) -> None:
        self.messages.append(message)
        kind = message.get("type")
        if kind in ("ack", "error"):
            self._reply = message
        elif kind == "state":
            self.state = RunState(paused=bool(message.get("paused")), t_ns=int(message.get("t_ns", 0)))
        elif kind == "stats":
            realtime = message.get("realtime")
            self.stats = Stats(
                sent=int(message.get("sent", 0)),
                dropped=int(message.get("dropped", 0)),
                queued=int(message.get("queued", 0)),
                realtime=Realtime(float(realtime["factor"]), float(realtime["target"]), bool(realtime["behind"]))
                if isinstance(realtime, dict)
                else None,
            )

    def _check_connected(self) -> None:
        if self._ws is None:
            raise DisconnectedError(f"not connected to {self._shown_url}: await connect() (or use async with) first")

    # -- control -----------------------------------------------------------------------------

    async def subscribe(self, topics: Sequence[str]) -> None:
        """Asks for these topics only (names or globs; empty: every topic). From this call on
        the client yields no frame of another topic, even one already received."""
        patterns = check_patterns(topics)
        self._accepts = topic_filter(patterns)
        await self._request({"type": "subscribe", "topics": patterns})

    async def pause(self) -> RunState:
        """Stops the run and returns once it has stopped: every frame it made before is then
        received (the iteration yields them), and the state says at which time it stopped."""
        async with self._locked():
            await self._send_and_wait({"type": "pause"})
            while True:
                state = self.state
                if state is not None and state.paused:
                    return state
                if await self._read() is _End:
                    raise DisconnectedError(f"the run at {self._shown_url} ended before it paused")

    async def resume(self) -> None:
        """Lets the run go on (after pause or step)."""
        await self._request({"type": "resume"})

    async def step(self, ticks: int = 1) -> List[Frame]:
        """Advances a paused run by ``ticks`` simulation steps (a replay: frames) and returns the
        frames they made, once the run has stopped again (they are not yielded by iteration).
        A running run is paused after them. Fewer come back if the run ends first."""
        if not isinstance(ticks, int) or isinstance(ticks, bool):
            raise TypeError(f"ticks must be an integer, got {ticks!r}")
        async with self._locked():
            collected: List[Frame] = []
            self._collecting = collected
            try:
                await self._send_and_wait({"type": "step", "ticks": ticks})
                # A paused run first says it goes again, then that it stopped; a running one only
                # that it stopped. Either state comes after the ack (see the module's docstring).
                went = self.state is None or not self.state.paused
                while True:
                    message = await self._read()
                    if message is _End:
                        break
                    if isinstance(message, dict) and message.get("type") == "state":
                        if not message.get("paused"):
                            went = True
                        elif went:
                            break
            finally:
                self._collecting = None
            return collected

    async def rate(self, factor: float) -> None:
        """Sets the speed relative to the wall clock (runs started with ``--realtime``, replays)."""
        await self._request({"type": "rate", "factor": factor})

    async def ego(
        self,
        *,
        throttle: Optional[float] = None,
        brake: Optional[float] = None,
        steer: Optional[float] = None,
        speed: Optional[float] = None,
        lane: Optional[int] = None,
    ) -> None:
        """Commands an ego with an ``external`` controller: throttle and brake 0..1, steer -1..1,
        or a target ``speed`` (m/s) and ``lane`` id. The server refuses out-of-range values and
        runs without such an ego (ControlError)."""
        given = {"throttle": throttle, "brake": brake, "steer": steer, "speed": speed, "lane": lane}
        command: Dict[str, Any] = {"type": "ego", **{k: v for k, v in given.items() if v is not None}}
        if len(command) == 1:
            raise ValueError("ego() needs at least one of throttle, brake, steer, speed or lane")
        await self._request(command)

    async def _request(self, message: Dict[str, Any]) -> None:
        async with self._locked():
            await self._send_and_wait(message)

    def _locked(self) -> asyncio.Lock:
        self._check_connected()
        assert self._lock is not None
        return self._lock

    async def _send_and_wait(self, message: Dict[str, Any]) -> None:
        """Sends one control message and reads until its reply; frames read meanwhile are kept."""
        request = str(message["type"])
        if self._ended:
            raise DisconnectedError(f"cannot send {request!r}: the connection to {self._shown_url} is closed")
        self._reply = None
        try:
            await self._ws.send(json.dumps(message))
        except websockets.exceptions.ConnectionClosed as closed:
            self._ended = True
            raise DisconnectedError(f"cannot send {request!r}: the connection to {self._shown_url} closed ({_close_text(closed)})") from None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        while self._reply is None:
            try:
                result = await asyncio.wait_for(self._read(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise TimeoutError(f"no reply to {request!r} from {self._shown_url} within {self._timeout:g} s") from None
            if result is _End:
                raise DisconnectedError(f"the connection to {self._shown_url} closed before the reply to {request!r}")
        reply = self._reply
        self._reply = None
        if reply.get("type") == "error":
            raise ControlError(request, str(reply.get("message")))


T = TypeVar("T")


class Client:
    """A live run's frames and controls, for plain (not asyncio) code::

        with roadcast.Client("ws://127.0.0.1:8765", topics=["lidar/*"]) as client:
            for frame in client:
                print(frame.topic, frame.t_ns, frame["points"].shape)

    Connects when made (see AsyncClient for the arguments and each method). It runs an event
    loop of its own, and only while a method or the iteration waits: between reads the server
    queues frames for it and, past a bound, drops the oldest (``stats.dropped`` counts them).
    Inside asyncio code use AsyncClient, whose methods are the same coroutines.
    """

    def __init__(
        self,
        url: str,
        topics: Optional[Sequence[str]] = None,
        token: Optional[str] = None,
        *,
        timeout: float = 10.0,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        # The arguments are checked before a loop exists that would need closing.
        self._client = AsyncClient(url, topics, token, timeout=timeout, max_message_bytes=max_message_bytes)
        self._loop = asyncio.new_event_loop()
        try:
            self._run(self._client.connect())
        except BaseException:
            self._loop.close()
            raise

    def _run(self, work: Awaitable[T]) -> T:
        if _has_running_loop():
            if asyncio.iscoroutine(work):
                work.close()
            raise RuntimeError("roadcast.Client blocks; inside asyncio code use roadcast.AsyncClient")
        if self._loop.is_closed():
            if asyncio.iscoroutine(work):
                work.close()
            raise DisconnectedError(f"the client for {self._client.url} is closed")
        task = self._loop.create_task(_awaited(work))
        try:
            return self._loop.run_until_complete(task)
        except BaseException:
            # Interrupted (Ctrl-C): end the wait, so the connection is not left with a reader
            # that would refuse the next one.
            if not task.done():
                task.cancel()
                try:
                    self._loop.run_until_complete(task)
                except BaseException:
                    pass
            raise

    @property
    def url(self) -> str:
        return self._client.url

    @property
    def hello(self) -> Hello:
        return self._client.hello

    @property
    def state(self) -> Optional[RunState]:
        return self._client.state

    @property
    def stats(self) -> Optional[Stats]:
        return self._client.stats

    @property
    def messages(self) -> Deque[Dict[str, Any]]:
        return self._client.messages

    def __iter__(self) -> Iterator[Frame]:
        return self

    def __next__(self) -> Frame:
        frame = self.recv()
        if frame is None:
            raise StopIteration
        return frame

    def recv(self, timeout: Optional[float] = None) -> Optional[Frame]:
        return self._run(self._client.recv(timeout))

    def subscribe(self, topics: Sequence[str]) -> None:
        self._run(self._client.subscribe(topics))

    def pause(self) -> RunState:
        return self._run(self._client.pause())

    def resume(self) -> None:
        self._run(self._client.resume())

    def step(self, ticks: int = 1) -> List[Frame]:
        return self._run(self._client.step(ticks))

    def rate(self, factor: float) -> None:
        self._run(self._client.rate(factor))

    def ego(
        self,
        *,
        throttle: Optional[float] = None,
        brake: Optional[float] = None,
        steer: Optional[float] = None,
        speed: Optional[float] = None,
        lane: Optional[int] = None,
    ) -> None:
        self._run(self._client.ego(throttle=throttle, brake=brake, steer=steer, speed=speed, lane=lane))

    def close(self) -> None:
        """Closes the connection (the run goes on). Idempotent."""
        if self._loop.is_closed():
            return
        try:
            self._run(self._client.close())
        finally:
            self._loop.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], error: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    # Each sync method has the async one's documentation.
    recv.__doc__ = AsyncClient.recv.__doc__
    subscribe.__doc__ = AsyncClient.subscribe.__doc__
    pause.__doc__ = AsyncClient.pause.__doc__
    resume.__doc__ = AsyncClient.resume.__doc__
    step.__doc__ = AsyncClient.step.__doc__
    rate.__doc__ = AsyncClient.rate.__doc__
    ego.__doc__ = AsyncClient.ego.__doc__


async def _awaited(work: Awaitable[T]) -> T:
    return await work


def _has_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _connect_url(url: str, topics: List[str], token: Optional[str]) -> "tuple[str, str]":
    """The URL to connect to (topics and token in its query, as the server reads them) and the
    one to show in messages (the URL as given, never the token)."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a string such as 'ws://127.0.0.1:8765', got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ValueError(f"expected a ws:// or wss:// URL such as ws://127.0.0.1:8765, got {url!r}")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("topics", "token")]
    shown_query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
    if topics:
        query.append(("topics", ",".join(topics)))
    if token is not None:
        query.append(("token", token))
    connect = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query, safe="/*,?"), ""))
    shown = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(shown_query, safe="/*,?"), ""))
    return connect, shown


def _close_code(closed: websockets.exceptions.ConnectionClosed) -> Optional[int]:
    received = getattr(closed, "rcvd", None)
    if received is not None:
        return int(received.code)
    code = getattr(closed, "code", None)
    return int(code) if isinstance(code, int) else None


def _close_text(closed: websockets.exceptions.ConnectionClosed) -> str:
    received = getattr(closed, "rcvd", None)
    if received is not None:
        return f"code {received.code}{f': {received.reason}' if received.reason else ''}"
    return "no close frame: the server went away"
