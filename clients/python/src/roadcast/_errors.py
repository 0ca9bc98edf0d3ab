"""The exceptions the package raises: every one is a RoadcastError, so one ``except`` catches them."""

from __future__ import annotations

import errno
from typing import Optional


class RoadcastError(Exception):
    """Base of every error this package raises on purpose."""


class FrameError(RoadcastError, ValueError):
    """Bytes that are not a roadcast frame of a version this package reads."""


class RecordingError(RoadcastError):
    """A file that cannot be read as a roadcast recording; ``path`` names it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class RecordingNotFoundError(RecordingError, FileNotFoundError):
    """The recording file does not exist (also a FileNotFoundError)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        # What an OSError of a missing file carries, for code that reads them.
        self.errno = errno.ENOENT
        self.strerror = message
        self.filename = path

    def __str__(self) -> str:
        # OSError's own would be "[Errno 2] ...": keep the one line every RecordingError has.
        return f"{self.path}: {self.strerror}"


class ConnectError(RoadcastError, ConnectionError):
    """The client could not connect: nothing listens there, it is not a roadcast server, or the
    server refused the client (``status`` is the HTTP status then, such as 401 for a token)."""

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


class DisconnectedError(RoadcastError, ConnectionError):
    """The connection ended other than by the server closing it at the end of a run."""

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.code = code


class ControlError(RoadcastError):
    """The server refused a control message; ``message`` is its reason, ``request`` the message type."""

    def __init__(self, request: str, message: str) -> None:
        super().__init__(f"the server refused {request!r}: {message}")
        self.request = request
        self.message = message
