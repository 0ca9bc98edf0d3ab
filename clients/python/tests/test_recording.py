"""roadcast.Recording on a real recording of tests/fixtures/scenario.json: what it holds is
compared with what the scenario and rig say it must hold."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
from mcap.writer import Writer

import roadcast
from conftest import PACKAGE_VERSION, RIG, SCENARIO, SENSORS, period_ns


def frames_by_topic(recording: roadcast.Recording) -> Dict[str, List[roadcast.Frame]]:
    out: Dict[str, List[roadcast.Frame]] = {}
    for frame in recording:
        out.setdefault(frame.topic, []).append(frame)
    return out


def test_topics_kinds_and_counts_follow_the_rig_and_duration(recording: roadcast.Recording) -> None:
    # Each sensor's topic is <type>/<name>, its frames duration × rate (t = 0, 1/f, ... < duration).
    expected = {topic: round(SCENARIO["duration"] * s["rate"]) for topic, s in SENSORS.items()}
    assert {t: i.count for t, i in recording.topics.items()} == expected
    assert {t: i.kind for t, i in recording.topics.items()} == {t: s["type"] for t, s in SENSORS.items()}
    assert len(recording) == sum(expected.values())
    assert {t: len(f) for t, f in frames_by_topic(recording).items()} == expected


def test_timestamps_and_sequence_numbers_follow_each_rate(recording: roadcast.Recording) -> None:
    frames = frames_by_topic(recording)
    for topic, sensor in SENSORS.items():
        count = round(SCENARIO["duration"] * sensor["rate"])
        assert [f.t_ns for f in frames[topic]] == [k * period_ns(topic) for k in range(count)], topic
        assert [f.seq for f in frames[topic]] == list(range(count)), topic
        # Recordings never hold the wall clock.
        assert all(f.wall_ns is None for f in frames[topic])
    assert recording.start_ns == 0
    assert recording.end_ns == max((round(SCENARIO["duration"] * s["rate"]) - 1) * period_ns(t) for t, s in SENSORS.items())
    everything = [f.t_ns for f in recording]
    assert everything == sorted(everything)


def test_lidar_arrays_have_the_rigs_shape(recording: roadcast.Recording) -> None:
    lidar = SENSORS["lidar/top"]
    channels = lidar["channels"]
    columns = round(lidar["horizontal"]["fov"] / lidar["horizontal"]["resolution"])
    frames = list(recording.frames(topics=["lidar/*"]))
    assert frames and all(f.topic == "lidar/top" and f.kind == "lidar" for f in frames)
    for frame in frames:
        # no_return: keep, so every beam of every column is a point.
        n = channels * columns
        points = frame["points"]
        assert points.dtype == np.float32 and points.shape == (n, 4)
        assert frame["ring"].dtype == np.uint16 and frame["ring"].shape == (n,)
        assert np.array_equal(np.unique(frame["ring"]), np.arange(channels))
        assert np.bincount(frame["ring"]).tolist() == [columns] * channels
        assert frame["time_offset_ns"].dtype == np.uint32 and int(frame["time_offset_ns"].max()) < period_ns("lidar/top")
        valid = frame["valid"].astype(bool)
        assert valid.shape == (n,) and valid.any()
        r = np.linalg.norm(points[valid, :3], axis=1)
        assert r.min() >= lidar["range"]["min"] - 1e-3 and r.max() <= lidar["range"]["max"] + 1e-3
        assert frame.fields["channels"] == channels and frame.fields["columns"] == columns
        assert frame.frame_id == "top"
        assert not points.flags.writeable


def test_camera_arrays_and_intrinsics_follow_the_rig(recording: roadcast.Recording) -> None:
    camera = SENSORS["camera/front"]
    w, h = camera["width"], camera["height"]
    focal = (w / 2) / math.tan(math.radians(camera["fov"]) / 2)
    for frame in recording.frames(topics=["camera/front"]):
        assert frame["rgb"].dtype == np.uint8 and frame["rgb"].shape == (h, w, 3)
        assert frame["depth"].dtype == np.float32 and frame["depth"].shape == (h, w)
        assert set(frame.data) >= {"rgb", "depth"} and "semantic" not in frame.data
        assert frame.fields["fx"] == pytest.approx(focal) and frame.fields["cx"] == pytest.approx((w - 1) / 2)
        # The road ahead fills the lower half of the image: depth there is positive.
        assert (frame["depth"][h // 2 + 2 :, :] > 0).mean() > 0.9


def test_imu_and_ground_truth_agree_with_the_scenario(recording: roadcast.Recording) -> None:
    for frame in recording.frames(topics=["imu/**"]):
        shapes = [(frame[k].dtype.name, frame[k].shape) for k in ("linear_acceleration", "angular_velocity", "orientation")]
        assert shapes == [("float64", (3,)), ("float64", (3,)), ("float64", (4,))]
        assert np.linalg.norm(frame["orientation"]) == pytest.approx(1, abs=1e-9)
    actors = SCENARIO["actors"]
    truth = list(recording.frames(topics=["ground_truth/actors"]))
    dt = period_ns("ground_truth/actors") / 1e9
    for frame in truth:
        assert frame["boxes"].shape == (len(actors), 10) and frame["boxes"].dtype == np.float64
        assert frame.fields["actor_ids"] == [a["id"] for a in actors]
        assert frame.fields["ego"] == "ego"
    # Each actor keeps the speed the scenario gives it: it moves speed × dt between frames.
    for i, actor in enumerate(actors):
        x = np.array([f["boxes"][i, 0] for f in truth])
        assert np.diff(x) == pytest.approx(actor["speed"] * dt, abs=1e-6), actor["id"]
        speeds = np.array([np.linalg.norm(f["velocities"][i]) for f in truth])
        assert speeds == pytest.approx(actor["speed"], abs=1e-4)


def test_the_lidar_rides_on_the_ego_at_its_mount(recording: roadcast.Recording) -> None:
    mount = SENSORS["lidar/top"]["mount"]
    truth = {f.t_ns: f for f in recording.frames(topics=["ground_truth/actors"])}
    for frame in recording.frames(topics=["lidar/top"]):
        box = truth[frame.t_ns]["boxes"][0]  # the ego: centre x y z, quaternion, length width height
        # The mount is relative to the centre of the ego's footprint on the road.
        expected = [box[0] + mount["x"], box[1] + mount["y"], box[2] - box[9] / 2 + mount["z"]]
        assert frame.pose.p == pytest.approx(expected, abs=1e-6)
        assert frame.pose.q == pytest.approx([0, 0, 0, 1], abs=1e-9)


def test_frames_by_topic_glob_and_time_window(recording: roadcast.Recording) -> None:
    start, end = 200_000_000, 500_000_000
    frames = list(recording.frames(topics=["lidar/*", "imu/**"], start_ns=start, end_ns=end))
    assert {f.topic for f in frames} == {"lidar/top", "imu/imu"}
    for topic in ("lidar/top", "imu/imu"):
        expected = [t for t in range(0, end, period_ns(topic)) if t >= start]
        assert [f.t_ns for f in frames if f.topic == topic] == expected
    assert [f.t_ns for f in frames] == sorted(f.t_ns for f in frames)
    assert list(recording.frames(topics=["radar/*"])) == []
    with pytest.raises(TypeError):
        recording.frames(topics="lidar/top")


def test_metadata_and_attachments_describe_the_run(recording: roadcast.Recording) -> None:
    assert recording.metadata["seed"] == str(SCENARIO["seed"])
    assert recording.metadata["scenario"].endswith("scenario.json")
    assert recording.metadata["roadcast_version"] == PACKAGE_VERSION
    assert recording.metadata["duration_s"] == str(SCENARIO["duration"])
    assert recording.library == f"roadcast/{PACKAGE_VERSION}"
    assert "rig/rig.json" in recording.attachment_names
    assert json.loads(recording.attachment("rig/rig.json")) == RIG
    with pytest.raises(KeyError, match="no attachment"):
        recording.attachment("nope")


def test_the_package_version_is_roadcasts() -> None:
    assert roadcast.__version__ == PACKAGE_VERSION


# -- bad input: one clear error that names the file ------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.mcap")
    with pytest.raises(roadcast.RecordingNotFoundError, match="nope.mcap: no such recording file") as caught:
        roadcast.Recording(path)
    assert isinstance(caught.value, FileNotFoundError) and caught.value.filename == path


def test_a_folder_and_a_file_that_is_not_mcap(tmp_path: Path) -> None:
    with pytest.raises(roadcast.RecordingError, match="is a folder"):
        roadcast.Recording(tmp_path)
    text = tmp_path / "notes.mcap"
    text.write_text("not a recording\n")
    with pytest.raises(roadcast.RecordingError, match="notes.mcap: is not an MCAP recording"):
        roadcast.Recording(text)


def test_an_mcap_file_of_another_tool(tmp_path: Path) -> None:
    path = tmp_path / "other.mcap"
    with open(path, "wb") as stream:
        writer = Writer(stream)
        writer.start()
        schema = writer.register_schema(name="pose", encoding="jsonschema", data=b"{}")
        channel = writer.register_channel(topic="/pose", message_encoding="json", schema_id=schema)
        writer.add_message(channel, log_time=0, data=b'{"x": 1}', publish_time=0)
        writer.finish()  # type: ignore[no-untyped-call]
    with pytest.raises(roadcast.RecordingError, match=r"other.mcap: is an MCAP file but not a roadcast recording: .*'msgpack' \(it has 'json'\)"):
        roadcast.Recording(path)


def test_a_recording_cut_short(recording_path: str, tmp_path: Path) -> None:
    data = Path(recording_path).read_bytes()
    cut = tmp_path / "cut.mcap"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(roadcast.RecordingError, match="cut.mcap: .*damaged or unfinished"):
        roadcast.Recording(cut)


def test_the_reader_bounds_what_a_chunk_may_hold(recording_path: str, tmp_path: Path) -> None:
    with pytest.raises(roadcast.RecordingError, match="more than the 1000 this reader allows"):
        roadcast.Recording(recording_path, max_chunk_bytes=1000)
    copy = tmp_path / "copy.mcap"
    shutil.copy(recording_path, copy)
    assert len(roadcast.Recording(copy)) > 0


def test_a_msgpack_channel_that_holds_no_frames(tmp_path: Path) -> None:
    path = tmp_path / "junk.mcap"
    with open(path, "wb") as stream:
        writer = Writer(stream)
        writer.start()
        channel = writer.register_channel(topic="lidar/top", message_encoding="msgpack", schema_id=0)
        writer.add_message(channel, log_time=0, data=b"\x93\x01\x02\x03", publish_time=0)
        writer.finish()  # type: ignore[no-untyped-call]
    recording = roadcast.Recording(path)
    with pytest.raises(roadcast.FrameError, match=r"junk.mcap \(message 0, topic lidar/top\): a frame must be a MessagePack map, got an array"):
        list(recording)
