"""roadcast for Python: a live run's frames and controls (Client, AsyncClient) and recordings
(Recording), with every frame's arrays as numpy arrays shaped as the wire format says.

    import roadcast

    with roadcast.Client("ws://127.0.0.1:8765", topics=["lidar/*"]) as client:
        for frame in client:
            print(frame.topic, frame.t_ns, frame["points"].shape)

    rec = roadcast.Recording("out/straight-road.mcap")
    for frame in rec.frames(topics=["camera/*"]):
        rgb = frame["rgb"]          # uint8 (H, W, 3)
"""

from ._errors import (
    ConnectError,
    ControlError,
    DisconnectedError,
    FrameError,
    RecordingError,
    RecordingNotFoundError,
    RoadcastError,
)
from ._frame import FRAME_VERSION, Frame, Pose, decode_frame
from ._messages import PROTOCOL_VERSION, Hello, Realtime, RunState, Stats
from .client import AsyncClient, Client
from .recording import Recording, TopicInfo

#: The roadcast release this package belongs to (package.json's version).
__version__ = "0.1.0"

__all__ = [
    "AsyncClient",
    "Client",
    "ConnectError",
    "ControlError",
    "DisconnectedError",
    "FRAME_VERSION",
    "Frame",
    "FrameError",
    "Hello",
    "PROTOCOL_VERSION",
    "Pose",
    "Realtime",
    "Recording",
    "RecordingError",
    "RecordingNotFoundError",
    "RoadcastError",
    "RunState",
    "Stats",
    "TopicInfo",
    "decode_frame",
    "__version__",
]
