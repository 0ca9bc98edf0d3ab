"""decode_frame on bytes made here with msgpack: the wire format of the README, and what a bad
frame is told."""

from __future__ import annotations

from typing import Any, Dict

import msgpack
import numpy as np
import pytest

import roadcast
from roadcast._topics import topic_filter


def wire(**changes: Any) -> Dict[str, Any]:
    frame: Dict[str, Any] = {
        "v": 1, "topic": "lidar/top", "kind": "lidar", "seq": 3, "t_ns": 5_000_000_000,
        "frame_id": "top", "pose": {"p": [1, 2, 3.5], "q": [0, 0, 0, 1]},
        "fields": {"channels": 2, "outputs": ["rgb"], "motion_distortion": True},
        "data": {"points": {"dtype": "float32", "shape": [2, 4], "bytes": np.arange(8, dtype="<f4").tobytes()}},
    }
    frame.update(changes)
    return frame


def test_a_frame_decodes_to_numpy_arrays_of_its_shape() -> None:
    frame = roadcast.decode_frame(msgpack.packb(wire(wall_ns=2**60)))
    assert (frame.topic, frame.kind, frame.seq, frame.t_ns, frame.wall_ns, frame.t) == ("lidar/top", "lidar", 3, 5_000_000_000, 2**60, 5.0)
    assert frame["points"].dtype == np.float32 and frame["points"].shape == (2, 4)
    assert frame["points"][1].tolist() == [4, 5, 6, 7]
    assert frame.pose.p.tolist() == [1, 2, 3.5] and frame.pose.q.tolist() == [0, 0, 0, 1]
    assert frame.fields["outputs"] == ["rgb"]
    with pytest.raises(KeyError, match="has no array 'rgb'"):
        frame["rgb"]


@pytest.mark.parametrize(
    "message, error",
    [
        (b"\xc1", "not a MessagePack frame"),
        (msgpack.packb([1, 2]), "a frame must be a MessagePack map, got an array"),
        (msgpack.packb({"topic": "x"}), 'the map has no "v"'),
        (msgpack.packb(wire(v=2)), "unsupported frame version int 2; this package reads version 1"),
        (msgpack.packb({k: v for k, v in wire().items() if k != "t_ns"}), 'frame has no "t_ns" key'),
        (msgpack.packb(wire(t_ns=1.5)), 'frame key "t_ns": expected an integer number of nanoseconds, got float 1.5'),
        (msgpack.packb(wire(seq=-1)), 'frame key "seq": expected a non-negative integer'),
        (msgpack.packb(wire(pose={"p": [1, 2], "q": [0, 0, 0, 1]})), 'frame key "pose"'),
        (msgpack.packb(wire(data={"points": {"dtype": "float16", "shape": [1], "bytes": b"\0\0"}})), "dtype 'float16' is not one of"),
        (msgpack.packb(wire(data={"points": {"dtype": "float32", "shape": [2, 4], "bytes": b"\0" * 31}})), "shape [2, 4] of float32 needs 32 bytes, got 31"),
        (msgpack.packb(wire(data={"points": {"dtype": "uint8", "shape": [-1], "bytes": b""}})), "shape must be an array of non-negative integers"),
    ],
)
def test_a_bad_frame_is_one_error_that_says_what_was_expected(message: bytes, error: str) -> None:
    with pytest.raises(roadcast.FrameError, match=None) as caught:
        roadcast.decode_frame(message, "test.mcap (message 7)")
    assert error in str(caught.value)
    assert str(caught.value).startswith("test.mcap (message 7): ")


def test_topic_globs_match_as_the_server_does() -> None:
    lidar = topic_filter(["lidar/*"])
    assert lidar("lidar/top") and not lidar("lidar/a/b") and not lidar("radar/front")
    deep = topic_filter(["radar/**"])
    assert deep("radar/front") and deep("radar/a/b")
    one = topic_filter(["cam?ra/front"])
    assert one("camera/front") and not one("cam/ra/front")
    assert topic_filter([])("anything")
