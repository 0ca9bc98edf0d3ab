"""Frames as numpy arrays: the wire format of src/core/frame.ts and src/io/codec.ts, read with a
stock msgpack library.

A frame is one plain MessagePack map (no extension types)::

    { v: 1, topic, kind, seq, t_ns, [wall_ns], frame_id, pose: { p: [x, y, z], q: [x, y, z, w] },
      fields: {...}, data: { name: { dtype, shape, bytes }, ... } }

Every key is checked as the TypeScript reader checks it, so a bad frame is one FrameError that
says which key and what was expected, never a KeyError deep inside a user's loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Union

import msgpack
import numpy as np
import numpy.typing as npt

from ._errors import FrameError

#: The frame version this package reads (FRAME_VERSION in src/core/frame.ts).
FRAME_VERSION = 1

#: Wire dtypes and their numpy types; the bytes are little-endian on every platform.
DTYPES: Mapping[str, np.dtype[Any]] = {
    "uint8": np.dtype("u1"),
    "int8": np.dtype("i1"),
    "uint16": np.dtype("<u2"),
    "int16": np.dtype("<i2"),
    "uint32": np.dtype("<u4"),
    "int32": np.dtype("<i4"),
    "float32": np.dtype("<f4"),
    "float64": np.dtype("<f8"),
}

FieldValue = Union[int, float, str, bool, List[Union[int, float]], List[str]]


@dataclass(frozen=True, eq=False)
class Pose:
    """A sensor's pose in the world: position ``p`` (x, y, z, metres) and unit quaternion
    ``q`` (x, y, z, w), as float64 arrays of shape (3,) and (4,)."""

    p: npt.NDArray[np.float64]
    q: npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Frame:
    """One sensor frame. ``data`` holds the arrays, read-only numpy views of the received bytes
    with the dtype and shape the wire gives (``frame["points"]`` is ``frame.data["points"]``);
    copy one (``.copy()``) to change it."""

    topic: str
    kind: str
    #: Per-topic sequence number, from 0.
    seq: int
    #: Simulation time of the measurement, integer nanoseconds (a LiDAR's: the start of its sweep).
    t_ns: int
    #: The frame the data is expressed in: a sensor name, or "world".
    frame_id: str
    pose: Pose
    fields: Mapping[str, FieldValue]
    data: Mapping[str, npt.NDArray[Any]]
    #: Live frames only: when the server broadcast the frame, nanoseconds since the Unix epoch.
    wall_ns: Optional[int] = None
    v: int = FRAME_VERSION

    @property
    def t(self) -> float:
        """Simulation time in seconds."""
        return self.t_ns / 1e9

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        try:
            return self.data[name]
        except KeyError:
            raise KeyError(f"{self.topic} frame #{self.seq} has no array {name!r}; it has {sorted(self.data)}") from None

    def __repr__(self) -> str:
        arrays = ", ".join(f"{name}: {a.dtype.name}{list(a.shape)}" for name, a in self.data.items())
        return f"Frame(topic={self.topic!r}, kind={self.kind!r}, seq={self.seq}, t_ns={self.t_ns}, data={{{arrays}}})"


def decode_frame(message: bytes, source: Optional[str] = None) -> Frame:
    """Decodes and checks one frame's MessagePack bytes (a WebSocket message, an MCAP message).
    ``source`` (a file and message number) prefixes any FrameError."""

    def fail(text: str) -> FrameError:
        return FrameError(f"{source}: {text}" if source else text)

    try:
        raw = msgpack.unpackb(message, raw=False, strict_map_key=True, use_list=True)
    except Exception as error:  # msgpack raises several types (ExtraData, FormatError, ValueError...)
        raise fail(f"not a MessagePack frame ({error})") from None
    if not isinstance(raw, dict):
        raise fail(f"a frame must be a MessagePack map, got {_describe(raw)}")
    # The version first: a newer frame may have other keys, and "unsupported version" is the
    # useful message then, not "missing key".
    if "v" not in raw:
        raise fail('not a roadcast frame: the map has no "v" (frame version) key')
    if not _is_int(raw["v"]) or raw["v"] != FRAME_VERSION:
        raise fail(f"unsupported frame version {_describe(raw['v'])}; this package reads version {FRAME_VERSION}")

    def key(name: str, expected: str) -> Any:
        if name not in raw:
            raise fail(f'frame has no "{name}" key (expected {expected})')
        return raw[name]

    def bad(name: str, expected: str) -> FrameError:
        return fail(f'frame key "{name}": expected {expected}, got {_describe(raw[name])}')

    topic = key("topic", "a string")
    if not isinstance(topic, str):
        raise bad("topic", "a string")
    kind = key("kind", "a string")
    if not isinstance(kind, str):
        raise bad("kind", "a string")
    seq = key("seq", "a non-negative integer")
    if not _is_int(seq) or seq < 0:
        raise bad("seq", "a non-negative integer")
    t_ns = key("t_ns", "an integer number of nanoseconds")
    if not _is_int(t_ns):
        raise bad("t_ns", "an integer number of nanoseconds")
    wall_ns: Optional[int] = None
    if "wall_ns" in raw:
        given = raw["wall_ns"]
        if not _is_int(given) or given < 0:
            raise bad("wall_ns", "an integer number of nanoseconds since 1970")
        wall_ns = given
    frame_id = key("frame_id", "a string")
    if not isinstance(frame_id, str):
        raise bad("frame_id", "a string")
    pose_raw = key("pose", "{ p: [x, y, z], q: [x, y, z, w] } of numbers")
    pose = _pose(pose_raw)
    if pose is None:
        raise bad("pose", "{ p: [x, y, z], q: [x, y, z, w] } of numbers")
    fields = key("fields", "a map of numbers, strings, booleans, number arrays or string arrays")
    if not isinstance(fields, dict) or not all(_is_field(value) for value in fields.values()):
        raise bad("fields", "a map of numbers, strings, booleans, number arrays or string arrays")
    data_raw = key("data", "a map of arrays")
    if not isinstance(data_raw, dict):
        raise bad("data", "a map of arrays")
    data: Dict[str, npt.NDArray[Any]] = {}
    for name, value in data_raw.items():
        array = _array(value)
        if isinstance(array, str):
            raise fail(f'frame key "data.{name}": {array}')
        data[name] = array
    return Frame(
        topic=topic, kind=kind, seq=seq, t_ns=t_ns, frame_id=frame_id, pose=pose,
        fields=fields, data=data, wall_ns=wall_ns,
    )


def _array(value: Any) -> Union[npt.NDArray[Any], str]:
    """The numpy array of one `{dtype, shape, bytes}`, or why it is not one."""
    if not isinstance(value, dict):
        return f"expected {{ dtype, shape, bytes }}, got {_describe(value)}"
    dtype_name, shape, payload = value.get("dtype"), value.get("shape"), value.get("bytes")
    if not isinstance(dtype_name, str) or dtype_name not in DTYPES:
        return f"dtype {_describe(dtype_name)} is not one of {', '.join(DTYPES)}"
    if not isinstance(shape, list) or not all(_is_int(n) and n >= 0 for n in shape):
        return f"shape must be an array of non-negative integers, got {_describe(shape)}"
    if not isinstance(payload, bytes):
        return f"bytes must be MessagePack bin, got {_describe(payload)}"
    dtype = DTYPES[dtype_name]
    expected = math.prod(shape) * dtype.itemsize
    if len(payload) != expected:
        return f"shape {shape} of {dtype_name} needs {expected} bytes, got {len(payload)}"
    # A view of the bytes object msgpack made for this bin: no copy, and read-only.
    return np.frombuffer(payload, dtype=dtype).reshape(shape)


def _pose(value: Any) -> Optional[Pose]:
    if not isinstance(value, dict):
        return None
    p, q = value.get("p"), value.get("q")
    if not _is_numbers(p, 3) or not _is_numbers(q, 4):
        return None
    return Pose(p=np.array(p, dtype=np.float64), q=np.array(q, dtype=np.float64))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_numbers(value: Any, length: Optional[int] = None) -> bool:
    return isinstance(value, list) and (length is None or len(value) == length) and all(_is_number(x) for x in value)


def _is_field(value: Any) -> bool:
    if isinstance(value, (int, float, str, bool)):
        return True
    return isinstance(value, list) and (all(_is_number(x) for x in value) or all(isinstance(x, str) for x in value))


def _describe(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bytes):
        return f"bin ({len(value)} bytes)"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return repr(shown)
    return f"{type(value).__name__} {value!r}"
