/**
 * The io room's public surface: the wire codec, the MCAP recorder and reader, the WebSocket
 * server, the exporters. (Running a scenario, pacing and control are the run room's: run/index.ts.)
 */
export { decodeFrame, encodeFrame } from './codec.js';
export { McapRecorder, MESSAGE_ENCODING, METADATA_NAME, RECORD_FORMATS, type RecordFormat, type RecorderOptions } from './McapRecorder.js';
export { RecorderThread, type Recorder } from './RecorderThread.js';
export { inspectRecording, readFrames, recoverRecording, type RecordingSummary, type TopicSummary } from './McapSource.js';
export { DEFAULT_HOST, DEFAULT_PORT, FrameServer, type FrameServerOptions, type ServerAddress } from './FrameServer.js';
export type { FrameSink } from './FrameSink.js';
export { AccessPolicy, isLoopback, type AccessOptions } from './AccessPolicy.js';
export { parseClientMessage, topicFilter, topicsFromUrl, PROTOCOL_VERSION, type ClientMessage, type RealtimeStats, type RunState, type ServerMessage } from './ControlProtocol.js';
export { RoadcastClient, type ClientOptions } from './RoadcastClient.js';
export { writeGlb } from './GlbWriter.js';
export { encodePcd } from './PcdWriter.js';
export { exportPointClouds, type PointCloudExportOptions } from './PointCloudExport.js';
export { exportKitti, type KittiExportOptions } from './KittiExport.js';
export { exportNuscenes, NUSCENES_SPLIT, type NuscenesExportOptions, type NuscenesExportSummary } from './nuscenes/NuscenesExport.js';
export { exportRos2, type Ros2ExportOptions } from './ros2/Ros2Export.js';
export { exportOpenLabel, openLabelBody, OPENLABEL_WORLD, type OpenLabelExportOptions } from './OpenLabelExport.js';
export { Ros2Encoder, ROS2_PROFILE, type Ros2Record } from './ros2/Ros2Encoder.js';
export { ros2MessageDefinition, ROS2_TYPES, type Ros2TypeName } from './ros2/messageDefinitions.js';
export { FoxgloveBridge, DEFAULT_FOXGLOVE_PORT, FOXGLOVE_SUBPROTOCOLS, type FoxgloveBridgeOptions } from './foxglove/FoxgloveBridge.js';
export { exportFoxglove, type FoxgloveExportOptions } from './foxglove/McapExport.js';
export { frameMessages, topicChannels, sceneMessage, SCHEMAS as FOXGLOVE_SCHEMAS, MAP_TOPIC, TF_TOPIC, type FoxgloveMessage, type TopicInfo } from './foxglove/messages.js';
export { runStaticScene, roadScene, recordingScene, sceneGlb, type StaticScene } from './foxglove/staticScene.js';
