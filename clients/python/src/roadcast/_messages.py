"""The control protocol's messages from the server, as src/io/ControlProtocol.ts defines them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

#: The control protocol this package speaks (PROTOCOL_VERSION in src/io/ControlProtocol.ts).
PROTOCOL_VERSION = 1


@dataclass(frozen=True)
class Hello:
    """The server's greeting: its roadcast version, protocol, the topics it has sent so far and
    this client's subscription (empty: every topic)."""

    version: str
    protocol: int
    topics: List[str]
    subscription: List[str]


@dataclass(frozen=True)
class RunState:
    """The run stopped (``paused``) or goes again, at simulation time ``t_ns``."""

    paused: bool
    t_ns: int


@dataclass(frozen=True)
class Realtime:
    """How fast a ``--realtime`` run goes: simulated seconds per wall second over the last few
    seconds (``factor``), the factor asked for (``target``), and whether it falls short."""

    factor: float
    target: float
    behind: bool


@dataclass(frozen=True)
class Stats:
    """Frames sent to this client, dropped because it read too slowly, and queued for it."""

    sent: int
    dropped: int
    queued: int
    realtime: Optional[Realtime] = None
