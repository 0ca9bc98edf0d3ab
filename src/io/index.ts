/**
 * The io room's public surface: the wire codec, the MCAP recorder and reader, the WebSocket
 * server. (runScenario lives in LiveRun.ts and is exported from src/index.ts directly.)
 */
export { decodeFrame, encodeFrame } from './codec.js';
export { McapRecorder, MESSAGE_ENCODING, METADATA_NAME, type RecorderOptions } from './McapRecorder.js';
export { inspectRecording, readFrames, recoverRecording, type RecordingSummary, type TopicSummary } from './McapSource.js';
export { DEFAULT_HOST, DEFAULT_PORT, FrameServer, type FrameServerOptions, type ServerAddress } from './FrameServer.js';
export { RunControl, type PacingReport, type RunState } from './RunControl.js';
export { AccessPolicy, isLoopback, type AccessOptions } from './AccessPolicy.js';
export { RealtimeMonitor, pacingWarning, type RealtimeMonitorOptions } from './RealtimeMonitor.js';
export { parseClientMessage, topicFilter, topicsFromUrl, PROTOCOL_VERSION, type ClientMessage, type RealtimeStats, type ServerMessage } from './ControlProtocol.js';
export { RoadcastClient, type ClientOptions } from './RoadcastClient.js';
export { writeGlb } from './GlbWriter.js';
export { replayRecording, replayTopics, type ReplayOptions } from './Replay.js';
export { encodePcd } from './PcdWriter.js';
export { exportPointClouds, type PointCloudExportOptions } from './PointCloudExport.js';
export { exportKitti, type KittiExportOptions } from './KittiExport.js';
export { FoxgloveBridge, DEFAULT_FOXGLOVE_PORT, FOXGLOVE_SUBPROTOCOLS, type FoxgloveBridgeOptions } from './foxglove/FoxgloveBridge.js';
export { exportFoxglove, type FoxgloveExportOptions } from './foxglove/McapExport.js';
export { frameMessages, topicChannels, sceneMessage, SCHEMAS as FOXGLOVE_SCHEMAS, MAP_TOPIC, TF_TOPIC, type FoxgloveMessage, type TopicInfo } from './foxglove/messages.js';
export { runStaticScene, roadScene, recordingScene, sceneGlb, type StaticScene } from './foxglove/staticScene.js';
