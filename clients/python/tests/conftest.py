"""What the tests compare against: the fixture scenario and rig (the inputs of the run, read here
independently of roadcast), and the server and recording that test/io/pythonClient.test.ts makes
from them:

- ROADCAST_TEST_RECORDING: a recording of tests/fixtures/scenario.json (its own duration);
- ROADCAST_TEST_URL, ROADCAST_TEST_TOKEN: `roadcast run` of the same scenario with --serve
  --realtime --token, long enough to outlast the tests.

Without them the tests that need them skip (the vitest test fails if any did).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

import roadcast

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[3]
SCENARIO: Dict[str, Any] = json.loads((FIXTURES / "scenario.json").read_text())
RIG: Dict[str, Any] = json.loads((FIXTURES / "rig.json").read_text())
SENSORS: Dict[str, Dict[str, Any]] = {f"{s['type']}/{s['name']}": s for s in RIG["sensors"]}
#: The simulation step of the scenario, integer nanoseconds.
STEP_NS = round(SCENARIO["step"] * 1e9)
PACKAGE_VERSION: str = json.loads((REPO / "package.json").read_text())["version"]


def period_ns(topic: str) -> int:
    """A sensor fires at t = 0, 1/f, 2/f, ... (README, "Sensors")."""
    return round(1e9 / float(SENSORS[topic]["rate"]))


def _set_by_the_test(name: str) -> str:
    """An environment variable test/io/pythonClient.test.ts sets; without it the test is skipped."""
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set (test/io/pythonClient.test.ts sets it)")
    return value


@pytest.fixture(scope="session")
def recording_path() -> str:
    return _set_by_the_test("ROADCAST_TEST_RECORDING")


@pytest.fixture(scope="session")
def recording(recording_path: str) -> roadcast.Recording:
    return roadcast.Recording(recording_path)


@pytest.fixture(scope="session")
def server_url() -> str:
    return _set_by_the_test("ROADCAST_TEST_URL")


@pytest.fixture(scope="session")
def token() -> str:
    return os.environ.get("ROADCAST_TEST_TOKEN", "")


@pytest.fixture
def connect(server_url: str, token: str) -> Iterator[Any]:
    """Makes clients of the shared run; each is closed, and the run left going, afterwards."""
    clients = []

    def make(**options: Any) -> roadcast.Client:
        client = roadcast.Client(server_url, token=token, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        try:
            client.resume()
        except roadcast.RoadcastError:
            pass
        client.close()
