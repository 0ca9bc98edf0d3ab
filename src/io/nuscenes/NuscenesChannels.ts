/**
 * Which of a recording's sensors become nuScenes channels, and where each sits on the ego:
 * read from the rig the recording carries (its `rig/` attachment). Every sensor frame now
 * states its mount and parent too (sensors/MountFields.ts), which the ROS 2 and OpenLABEL
 * exports read; this export still takes the rig, so it also reads recordings made before that.
 */
import { UserError } from '../../core/errors.js';
import type { Pose } from '../../core/frame.js';
import { composePose } from '../../core/pose.js';
import { FILE_LIMITS, formatBytes } from '../../core/UserFile.js';
import { OPTICAL_IN_BODY } from '../../sensors/camera/CameraView.js';
import { mountPose, parseRig, type CameraConfig, type SensorConfig } from '../../sensors/Rig.js';
import { readAttachment, type RecordingSummary } from '../McapSource.js';

export type Modality = 'lidar' | 'camera' | 'radar';

export interface Channel {
  topic: string;
  /** The nuScenes channel: the sensor's name in capitals (the key LiDAR is LIDAR_TOP). */
  channel: string;
  modality: Modality;
  /** The pose of the frame the sensor's data are in (a camera's optical frame) in the ego's body frame. */
  inEgo: Pose;
  /** A camera's intrinsics. */
  camera?: CameraConfig;
}

/**
 * The channel the devkit's evaluation reads the samples from (`sample['data']['LIDAR_TOP']`
 * gives each box its distance from the ego), so the key LiDAR always takes this name.
 */
export const KEY_LIDAR_CHANNEL = 'LIDAR_TOP';

/**
 * The channels of a recording: every LiDAR, camera and radar mounted on the ego, the key LiDAR
 * (`lidarTopic`, else the first on the ego) first. Sensors on other actors are no part of the
 * ego's suite and are left out. Refuses a recording without a LiDAR on the ego (the samples are
 * its sweeps), without its rig, or with a camera nuScenes cannot describe (a fisheye or a
 * distorted pinhole: nuScenes' intrinsics are a 3 x 3 matrix of an undistorted image).
 */
export async function nuscenesChannels(file: string, summary: RecordingSummary, lidarTopic?: string): Promise<Channel[]> {
  const lidarTopics = summary.topics.filter((t) => t.kind === 'lidar').map((t) => t.topic);
  if (lidarTopics.length === 0) throw new UserError('nuScenes export needs a LiDAR on the ego (the samples are its sweeps); the recording has no LiDAR topic (record with a rig that has a lidar)', file);
  if (lidarTopic !== undefined && !lidarTopics.includes(lidarTopic)) throw new UserError(`the recording has no LiDAR topic "${lidarTopic}" (LiDAR topics: ${lidarTopics.join(', ')})`, file);
  const rigAttachment = await readAttachment(file, (name) => name.startsWith('rig/'));
  if (!rigAttachment) throw new UserError('nuScenes export needs the rig the recording was made with (its rig/ attachment) for the sensors\' mounts; this recording has none', file);
  const where = `${file} (attachment ${rigAttachment.name})`;
  if (rigAttachment.data.byteLength > FILE_LIMITS.config) throw new UserError(`the rig is ${formatBytes(rigAttachment.data.byteLength)}; a rig may be at most ${formatBytes(FILE_LIMITS.config)}`, where);
  const rig = parseRig(new TextDecoder().decode(rigAttachment.data), where);
  const byTopic = new Map<string, SensorConfig>();
  for (const sensor of rig.sensors) {
    if (sensor.type === 'lidar' || sensor.type === 'camera' || sensor.type === 'radar') byTopic.set(`${sensor.type}/${sensor.name}`, sensor);
  }
  const onEgo = (topic: string): boolean => {
    const sensor = byTopic.get(topic);
    return sensor !== undefined && 'parent' in sensor && sensor.parent === 'ego';
  };
  const key = lidarTopic ?? lidarTopics.find(onEgo);
  if (key === undefined || !onEgo(key)) {
    const where2 = lidarTopics.map((t) => `${t} on "${(byTopic.get(t) as { parent?: string } | undefined)?.parent ?? '?'}"`).join(', ');
    throw new UserError(`nuScenes export needs a LiDAR on the ego (the samples are its sweeps); the recording has ${where2}, none on the ego`, file);
  }
  const channels: Channel[] = [];
  const names = new Map<string, string>();
  const add = (topic: string, channel: string): void => {
    const sensor = byTopic.get(topic)!;
    if (names.has(channel)) throw new UserError(`${names.get(channel)} and ${topic} would both be nuScenes channel ${channel}; rename one of the sensors`, file);
    names.set(channel, topic);
    const mount = mountPose((sensor as { mount: Parameters<typeof mountPose>[0] }).mount);
    if (sensor.type === 'camera') {
      checkUndistorted(sensor, file);
      channels.push({ topic, channel, modality: 'camera', inEgo: composePose(mount, OPTICAL_IN_BODY), camera: sensor });
    } else {
      channels.push({ topic, channel, modality: sensor.type as Modality, inEgo: mount });
    }
  };
  add(key, KEY_LIDAR_CHANNEL);
  for (const { topic, kind } of summary.topics) {
    if (topic === key || !(kind === 'lidar' || kind === 'camera' || kind === 'radar') || !onEgo(topic)) continue;
    add(topic, byTopic.get(topic)!.name.toUpperCase().replace(/-/g, '_'));
  }
  return channels;
}

function checkUndistorted(camera: CameraConfig, file: string): void {
  const d = camera.distortion;
  const coefficients = Object.entries(d).filter(([, v]) => v !== 0);
  if (camera.model === 'pinhole' && coefficients.length === 0) return;
  const what = camera.model === 'fisheye' ? 'a fisheye' : `distorted (${coefficients.map(([k, v]) => `${k} ${v}`).join(', ')})`;
  throw new UserError(`camera ${camera.name} is ${what}; nuScenes images are undistorted pinhole images (a 3 x 3 intrinsic matrix): record it with model: pinhole and no distortion`, file);
}
