"""roadcast.Client and AsyncClient against a real `roadcast run --serve --realtime --token` of
tests/fixtures/scenario.json. The run is shared: each test leaves it going (conftest.connect)."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from typing import Any, Callable, List, cast

import numpy as np
import pytest

import roadcast
from conftest import PACKAGE_VERSION, SCENARIO, SENSORS, STEP_NS, period_ns

Connect = Callable[..., roadcast.Client]


def test_a_missing_or_wrong_token_is_refused(server_url: str) -> None:
    with pytest.raises(roadcast.ConnectError, match="needs a token") as missing:
        roadcast.Client(server_url)
    assert missing.value.status == 401
    with pytest.raises(roadcast.ConnectError, match="refused the token") as wrong:
        roadcast.Client(server_url, token="not-the-token")
    assert wrong.value.status == 401
    assert "not-the-token" not in str(wrong.value)


def test_nothing_listening_and_bad_urls() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed.
    with pytest.raises(roadcast.ConnectError, match=f"cannot connect to ws://127.0.0.1:{port}"):
        roadcast.Client(f"ws://127.0.0.1:{port}", timeout=5)
    with pytest.raises(ValueError, match="expected a ws:// or wss:// URL"):
        roadcast.Client("http://127.0.0.1:8765")
    with pytest.raises(ValueError, match="has a comma"):
        roadcast.Client("ws://127.0.0.1:8765", topics=["a,b"])


def test_hello_names_the_server_and_the_subscription(connect: Connect) -> None:
    client = connect(topics=["lidar/*"])
    assert client.hello.version == PACKAGE_VERSION
    assert client.hello.protocol == roadcast.PROTOCOL_VERSION
    assert client.hello.subscription == ["lidar/*"]
    # The topics the run has sent so far: its sensors' (and `events`, should the run make any).
    assert set(client.hello.topics) & set(SENSORS) and set(client.hello.topics) <= set(SENSORS) | {"events"}


def test_live_lidar_frames_are_numpy_arrays_of_the_rigs_shape(connect: Connect) -> None:
    client = connect(topics=["lidar/*"])
    client.resume()
    lidar = SENSORS["lidar/top"]
    n = lidar["channels"] * round(lidar["horizontal"]["fov"] / lidar["horizontal"]["resolution"])
    frames = [client.recv(timeout=10) for _ in range(3)]
    for frame in frames:
        assert frame is not None and frame.topic == "lidar/top"
        assert frame["points"].dtype == np.float32 and frame["points"].shape == (n, 4)
        assert frame["ring"].shape == (n,) and frame["time_offset_ns"].shape == (n,)
        assert frame.t_ns % period_ns("lidar/top") == 0
        # Live frames carry the wall-clock time of their broadcast: a moment ago, on this machine.
        assert frame.wall_ns is not None and 0 <= time.time_ns() - frame.wall_ns < 10e9
    seqs = [f.seq for f in frames if f is not None]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


def test_pause_then_step_makes_exactly_the_frames_of_those_ticks(connect: Connect) -> None:
    client = connect(topics=["ground_truth/*", "lidar/*"])
    state = client.pause()
    assert state.paused and client.state == state
    t0 = state.t_ns
    ticks = 100
    frames = client.step(ticks)
    # The run stopped again exactly `ticks` simulation steps later.
    assert client.state == roadcast.RunState(paused=True, t_ns=t0 + ticks * STEP_NS)
    truth = [f for f in frames if f.topic == "ground_truth/actors"]
    period = period_ns("ground_truth/actors")
    # Ground truth fires at multiples of its period; the step covers [t0, t0 + ticks × step).
    assert [f.t_ns for f in truth] == [t for t in range(0, t0 + ticks * STEP_NS, period) if t >= t0]
    assert [f.seq for f in truth] == list(range(truth[0].seq, truth[0].seq + len(truth)))
    # A LiDAR frame comes when its sweep (one period) is complete: one per period of the step.
    lidar = [f for f in frames if f.topic == "lidar/top"]
    assert len(lidar) == ticks * STEP_NS // period_ns("lidar/top")
    assert np.diff([f.t_ns for f in lidar]).tolist() == [period_ns("lidar/top")] * (len(lidar) - 1)
    assert {f.topic for f in frames} == {"ground_truth/actors", "lidar/top"}
    # Paused: what iteration yields now is only what the run made before the pause.
    with pytest.raises(TimeoutError):
        while True:
            earlier = client.recv(timeout=0.5)
            assert earlier is not None and earlier.t_ns < t0
    client.resume()
    assert client.recv(timeout=10) is not None


def test_ego_commands_drive_the_external_ego(connect: Connect) -> None:
    client = connect(topics=["ground_truth/*"])
    client.pause()
    start_speed = SCENARIO["actors"][0]["speed"]
    target = 12.0
    client.ego(speed=target)
    truth = client.step(300)
    assert truth and all(f.fields["ego"] == "ego" for f in truth)
    ego = cast(List[str], truth[0].fields["actor_ids"]).index("ego")
    speeds = np.array([np.linalg.norm(f["velocities"][ego]) for f in truth])
    # It speeds up from the scenario's speed towards the target and never past it.
    assert speeds[0] < start_speed + 1.5
    assert speeds[-1] > start_speed + 0.5 * (target - start_speed)
    assert np.all(np.diff(speeds) >= -1e-3) and speeds.max() <= target + 0.1
    # And moves as fast as its velocity says: distance between frames ≈ mean speed × period.
    x = np.array([f["boxes"][ego, 0] for f in truth])
    dt = period_ns("ground_truth/actors") / 1e9
    assert np.diff(x) == pytest.approx((speeds[1:] + speeds[:-1]) / 2 * dt, rel=0.05, abs=0.02)
    with pytest.raises(roadcast.ControlError, match='"throttle" must be a number from 0 to 1, got 2') as refused:
        client.ego(throttle=2)
    assert refused.value.request == "ego"
    with pytest.raises(ValueError, match="at least one of"):
        client.ego()
    client.ego(speed=float(start_speed))


def test_rate_and_its_limits(connect: Connect) -> None:
    client = connect()
    client.rate(2)
    try:
        with pytest.raises(roadcast.ControlError, match='"factor" must be a number from 0.01 to 1000'):
            client.rate(0)
        with pytest.raises(roadcast.ControlError, match='"ticks" must be an integer from 1 to 10000'):
            client.step(0)
    finally:
        client.rate(1)


def test_subscribe_changes_the_topics_from_that_call_on(connect: Connect) -> None:
    client = connect(topics=["lidar/*"])
    client.resume()
    assert client.recv(timeout=10).topic == "lidar/top"  # type: ignore[union-attr]
    client.subscribe(["imu/**", "camera/front"])
    topics = {client.recv(timeout=10).topic for _ in range(20)}  # type: ignore[union-attr]
    assert topics == {"imu/imu", "camera/front"}


def test_the_async_client_iterates_and_controls(server_url: str, token: str) -> None:
    async def main() -> List[Any]:
        async with roadcast.AsyncClient(server_url, topics=["imu/*"], token=token) as client:
            await client.resume()
            seen = []
            async for frame in client:
                seen.append(frame)
                if len(seen) == 5:
                    break
            state = await client.pause()
            stepped = await client.step(10)
            await client.resume()
            # A blocking Client inside asyncio code says to use this one.
            with pytest.raises(RuntimeError, match="AsyncClient"):
                roadcast.Client(server_url, token=token)
            return [seen, state, stepped]

    seen, state, stepped = asyncio.run(main())
    assert all(f.topic == "imu/imu" and f["linear_acceleration"].shape == (3,) for f in seen)
    assert np.diff([f.t_ns for f in seen]).tolist() == [period_ns("imu/imu")] * 4
    period = period_ns("imu/imu")
    assert [f.t_ns for f in stepped] == [t for t in range(0, state.t_ns + 10 * STEP_NS, period) if t >= state.t_ns]


def test_a_closed_client_says_so(connect: Connect) -> None:
    client = connect()
    client.close()
    client.close()
    with pytest.raises(roadcast.DisconnectedError, match="closed"):
        client.pause()


def test_iteration_ends_when_the_run_does(token: str) -> None:
    # A second, short run that test/io/pythonClient.test.ts paused as it began.
    url = os.environ.get("ROADCAST_TEST_SHORT_URL")
    if not url:
        pytest.skip("ROADCAST_TEST_SHORT_URL is not set (test/io/pythonClient.test.ts sets it)")
    end_ns = round(float(os.environ["ROADCAST_TEST_SHORT_DURATION_S"]) * 1e9)
    with roadcast.Client(url, topics=["ground_truth/*"], token=token) as client:
        # Already paused: pause() returns the state the server told this client after its hello.
        state = client.pause()
        assert state.paused and 0 <= state.t_ns < end_ns
        client.resume()
        frames = list(client)
        dropped = client.stats.dropped if client.stats else 0
    period = period_ns("ground_truth/actors")
    expected = [t for t in range(0, end_ns, period) if t >= state.t_ns]
    times = [f.t_ns for f in frames]
    # All of them; a client that fell behind at the end gets the newest one and is told of
    # the rest as dropped (README, "Streaming").
    assert len(times) == len(expected) - dropped and set(times) <= set(expected) and times[-1] == expected[-1]
