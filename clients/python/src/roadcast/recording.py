"""Reading a roadcast recording (an MCAP file that `roadcast run --record` writes: one channel per
topic with message encoding "msgpack", each message one frame's wire bytes; see
src/io/McapRecorder.ts) with the ``mcap`` package.

The reader bounds what it reads: every chunk the index names must lie inside the file and
decompress to at most ``max_chunk_bytes``, checked before anything is read, so a damaged or
hostile file is a RecordingError, not an allocation of whatever size it claims.
"""

from __future__ import annotations

import os
import stat
import struct
from dataclasses import dataclass
from typing import IO, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import zstandard
from mcap.exceptions import McapError
from mcap.reader import SeekingReader
from mcap.records import Channel
from mcap.summary import Summary

from ._errors import RecordingError, RecordingNotFoundError, RoadcastError
from ._frame import Frame, decode_frame
from ._topics import check_patterns, topic_filter

#: The message encoding of every roadcast channel (MESSAGE_ENCODING in McapRecorder.ts).
MESSAGE_ENCODING = "msgpack"
#: The name of the Metadata records that carry the run's metadata (METADATA_NAME).
METADATA_NAME = "roadcast"
MCAP_MAGIC = b"\x89MCAP0\r\n"

#: The most one chunk may decompress to. roadcast writes chunks of about 1 MiB, or one frame
#: when a frame is larger (a 4K camera with every output is about 100 MB).
DEFAULT_MAX_CHUNK_BYTES = 1 << 30

PathLike = Union[str, "os.PathLike[str]"]

# What the mcap package raises on damaged input (its own errors, short reads, bad lengths,
# an unknown channel id, a corrupt zstd frame); a TypeError and the like stay bugs.
_DAMAGE = (McapError, struct.error, EOFError, ValueError, KeyError, IndexError, zstandard.ZstdError)


@dataclass(frozen=True)
class TopicInfo:
    """One topic of a recording: its frame kind (lidar, camera, ...) and how many frames it holds."""

    topic: str
    kind: Optional[str]
    count: int


class Recording:
    """A roadcast recording: its metadata, topics and frames.

    >>> rec = Recording("out/straight-road.mcap")
    >>> rec.metadata["scenario"], rec.topics["lidar/top"].count
    >>> for frame in rec.frames(topics=["lidar/*"], start_ns=1_000_000_000):
    ...     print(frame.t_ns, frame["points"].shape)

    Opening reads only the file's summary (its index); ``frames()`` reads the frames in time
    order, opening the file for as long as the iteration lasts.
    """

    def __init__(self, path: PathLike, *, max_chunk_bytes: int = DEFAULT_MAX_CHUNK_BYTES) -> None:
        self.path: str = os.fspath(path)
        self.max_chunk_bytes = max_chunk_bytes
        with self._open() as (stream, size):
            try:
                reader = SeekingReader(stream, record_size_limit=size)
                header = reader.get_header()
                summary = reader.get_summary()
            except _DAMAGE as error:
                raise self._error(f"is an MCAP file roadcast cannot read; is it damaged or unfinished? ({_reason(error)})") from None
            if summary is None:
                raise self._error("is an MCAP file without a summary (its index): unfinished, or not written by roadcast")
            self._check_chunks(summary, size)
            channels = [c for c in summary.channels.values() if c.message_encoding == MESSAGE_ENCODING]
            if not channels:
                found = sorted({c.message_encoding for c in summary.channels.values()})
                raise self._error(
                    "is an MCAP file but not a roadcast recording: it has no channel of message encoding "
                    f"{MESSAGE_ENCODING!r}" + (f" (it has {', '.join(map(repr, found))})" if found else " (it has no channels)")
                )
            self._channels: Dict[int, Channel] = {c.id: c for c in channels}
            try:
                counts = self._counts(reader, summary)
                metadata: Dict[str, str] = {}
                # Records merge in file order: a later one (the run's closing figures) adds keys.
                for record in reader.iter_metadata():
                    if record.name == METADATA_NAME:
                        metadata.update(record.metadata)
            except _DAMAGE as error:
                raise self._error(f"cannot read the recording: {_reason(error)}") from None
        #: The "roadcast" metadata of the run: scenario, rig, map, seed, params, duration_s, ...
        self.metadata: Mapping[str, str] = metadata
        #: The MCAP header's writer, such as "roadcast/0.1.0".
        self.library: str = header.library
        by_topic: Dict[str, TopicInfo] = {}
        for channel in sorted(channels, key=lambda c: c.topic):
            known = by_topic.get(channel.topic)
            count = counts.get(channel.id, 0) + (known.count if known else 0)
            by_topic[channel.topic] = TopicInfo(channel.topic, channel.metadata.get("kind"), count)
        #: The recording's topics by name (sorted), with their frame kind and count.
        self.topics: Mapping[str, TopicInfo] = by_topic
        statistics = summary.statistics
        #: Log times of the file's first and last messages, integer nanoseconds.
        self.start_ns: int = statistics.message_start_time if statistics else 0
        self.end_ns: int = statistics.message_end_time if statistics else 0
        self._attachments: List[Tuple[str, int]] = [(a.name, a.offset) for a in summary.attachment_indexes]

    @property
    def duration_s(self) -> float:
        """Seconds from the first message to the last."""
        return (self.end_ns - self.start_ns) / 1e9

    def __len__(self) -> int:
        """How many frames the recording holds."""
        return sum(t.count for t in self.topics.values())

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def __repr__(self) -> str:
        return f"Recording({self.path!r}, frames={len(self)}, topics={list(self.topics)})"

    @property
    def attachment_names(self) -> List[str]:
        """The files the run was made from, stored whole (scenario/..., rig/..., map/...)."""
        return [name for name, _ in self._attachments]

    def attachment(self, name: str) -> bytes:
        """The bytes of one attachment (see ``attachment_names``)."""
        from mcap.records import Attachment
        from mcap.stream_reader import StreamReader

        for known, offset in self._attachments:
            if known != name:
                continue
            with self._open() as (stream, size):
                try:
                    stream.seek(offset)
                    record = next(StreamReader(stream, skip_magic=True, record_size_limit=size).records)
                except (StopIteration, *_DAMAGE) as error:
                    raise self._error(f"cannot read attachment {name!r}: {_reason(error)}") from None
                if not isinstance(record, Attachment):
                    raise self._error(f"the index of attachment {name!r} points at no attachment")
                return bytes(record.data)
        raise KeyError(f"{self.path} has no attachment {name!r}; it has {self.attachment_names}")

    def frames(
        self,
        topics: Optional[Sequence[str]] = None,
        start_ns: Optional[int] = None,
        end_ns: Optional[int] = None,
    ) -> Iterator[Frame]:
        """The recording's frames in time order (``t_ns``, which is each message's log time).

        ``topics``: names or globs (``lidar/*``, ``**``), as a live client subscribes; every
        topic when None. ``start_ns`` is inclusive, ``end_ns`` exclusive.
        """
        accepts = topic_filter(check_patterns(topics)) if topics is not None else (lambda topic: True)
        wanted = sorted({c.topic for c in self._channels.values() if accepts(c.topic)})
        return self._frames(wanted, start_ns, end_ns)

    def _frames(self, wanted: List[str], start_ns: Optional[int], end_ns: Optional[int]) -> Iterator[Frame]:
        if not wanted:
            return
        with self._open() as (stream, size):
            reader = SeekingReader(stream, record_size_limit=size)
            index = 0
            try:
                summary = reader.get_summary()
                if summary is None:
                    raise self._error("lost its summary while being read")
                self._check_chunks(summary, size)
                for _, channel, message in reader.iter_messages(topics=wanted, start_time=start_ns, end_time=end_ns):
                    # A topic name can be shared by a channel of another encoding.
                    if channel.id not in self._channels:
                        continue
                    yield decode_frame(message.data, f"{self.path} (message {index}, topic {channel.topic})")
                    index += 1
            except RoadcastError:
                raise
            except _DAMAGE as error:
                raise self._error(f"cannot read the recording after {index} frames: {_reason(error)}") from None

    def _counts(self, reader: SeekingReader, summary: Summary) -> Dict[int, int]:
        """Messages per roadcast channel: from the statistics, or by reading when there are none."""
        if summary.statistics is not None:
            return {cid: n for cid, n in summary.statistics.channel_message_counts.items() if cid in self._channels}
        counts: Dict[int, int] = {}
        topics = sorted({c.topic for c in self._channels.values()})
        for _, channel, _ in reader.iter_messages(topics=topics, log_time_order=False):
            counts[channel.id] = counts.get(channel.id, 0) + 1
        return counts

    def _check_chunks(self, summary: Summary, size: int) -> None:
        for chunk in summary.chunk_indexes:
            end = chunk.chunk_start_offset + chunk.chunk_length
            if chunk.chunk_start_offset < 0 or end > size or chunk.compressed_size > chunk.chunk_length:
                raise self._error(
                    f"its index names a chunk at bytes {chunk.chunk_start_offset}..{end}, "
                    f"beyond the file's {size} bytes: the file is damaged or was cut short"
                )
            if chunk.uncompressed_size > self.max_chunk_bytes:
                raise self._error(
                    f"a chunk would decompress to {chunk.uncompressed_size} bytes, more than the "
                    f"{self.max_chunk_bytes} this reader allows (Recording(..., max_chunk_bytes=...))"
                )

    def _open(self) -> "_OpenFile":
        return _OpenFile(self)

    def _error(self, message: str) -> RecordingError:
        return RecordingError(self.path, message)


class _OpenFile:
    """The recording opened for reading: a regular file that starts with the MCAP magic, checked
    before it is opened (opening a FIFO would block until something writes to it)."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.stream: Optional[IO[bytes]] = None

    def __enter__(self) -> Tuple[IO[bytes], int]:
        path = self.recording.path
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise RecordingNotFoundError(path, "no such recording file") from None
        except OSError as error:
            raise RecordingError(path, f"cannot read the recording: {error.strerror or error}") from None
        if stat.S_ISDIR(info.st_mode):
            raise RecordingError(path, "is a folder, not an MCAP recording")
        if not stat.S_ISREG(info.st_mode):
            raise RecordingError(path, "is not a regular file (a device, pipe or socket), not an MCAP recording")
        try:
            stream = open(path, "rb")
        except OSError as error:
            raise RecordingError(path, f"cannot read the recording: {error.strerror or error}") from None
        self.stream = stream
        size = os.fstat(stream.fileno()).st_size
        if stream.read(len(MCAP_MAGIC)) != MCAP_MAGIC:
            stream.close()
            raise RecordingError(path, "is not an MCAP recording (it does not start with the MCAP magic bytes)")
        stream.seek(0)
        return stream, size

    def __exit__(self, *exc: object) -> None:
        if self.stream is not None:
            self.stream.close()


def _reason(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
