/**
 * The Foxglove WebSocket bridge, checked with the protocol's own client: the channels it
 * advertises, and the decoded messages against the frames of the same run.
 */
import wsProtocol, { type Channel, type IWebSocket, type MessageData } from '@foxglove/ws-protocol';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Frame } from '../../src/core/frame.js';
import { FoxgloveBridge, FOXGLOVE_SUBPROTOCOLS } from '../../src/io/foxglove/FoxgloveBridge.js';
import { roadScene, runStaticScene } from '../../src/io/foxglove/staticScene.js';
import { runScenario, runTopics } from '../../src/run/runScenario.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { inspectRecording } from '../../src/io/McapSource.js';
import { replayTopics } from '../../src/run/Replay.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { loadRig } from '../../src/sensors/Rig.js';
import { startServing } from '../helpers.js';
import { expectMatchesFrames, smallRig, type Decoded } from './fixtures.js';

const { FoxgloveClient } = wsProtocol;

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A FoxgloveClient over `ws`, collecting the channels advertised and the messages decoded. */
function connect(url: string, protocol: string = FoxgloveClient.SUPPORTED_SUBPROTOCOL) {
  const socket = new WebSocket(url, [protocol]);
  const client = new FoxgloveClient({ ws: socket as unknown as IWebSocket });
  const channels = new Map<number, Channel>();
  const subscriptions = new Map<number, Channel>();
  const messages: (Decoded & { headerTimeNs: bigint })[] = [];
  let serverInfo: { name: string; capabilities: string[] } | undefined;
  client.on('serverInfo', (info) => (serverInfo = info));
  client.on('advertise', (advertised) => advertised.forEach((c) => channels.set(c.id, c)));
  client.on('message', (event: MessageData) => {
    const channel = subscriptions.get(event.subscriptionId)!;
    const message = JSON.parse(new TextDecoder().decode(event.data));
    const t = message.timestamp ?? message.entities?.[0]?.timestamp ?? { sec: 0, nsec: 0 };
    messages.push({ topic: channel.topic, timeNs: t.sec * 1e9 + t.nsec, message, headerTimeNs: event.timestamp });
  });
  const subscribe = (channel: Channel): void => {
    subscriptions.set(client.subscribe(channel.id), channel);
  };
  return { socket, client, channels, messages, subscribe, info: () => serverInfo };
}

describe('Foxglove WebSocket bridge', () => {
  it('advertises foxglove schemas and sends messages equal to the frames of the run', async () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const rig = loadRig(smallRig());
    const topics = [...rig.sensors.map((s) => ({ topic: `${s.type}/${s.name}`, kind: s.type })), { topic: 'events', kind: 'events' }];
    const scene = runStaticScene(scenario.network, scenario.seed, scenario.buildings);
    const bridge = new FoxgloveBridge({ port: 0, topics, scene: () => scene });
    const url = await bridge.start();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const fox = connect(url);
    try {
      await until(() => fox.channels.size === 8);
      expect(fox.info()?.name).toMatch(/^roadcast /);
      expect(fox.info()?.capabilities).toContain('time');
      const advertised = Object.fromEntries([...fox.channels.values()].map((c) => [c.topic, c.schemaName]));
      expect(advertised).toEqual({
        tf: 'foxglove.FrameTransform',
        map: 'foxglove.SceneUpdate',
        'lidar/top': 'foxglove.PointCloud',
        'radar/front': 'foxglove.PointCloud',
        'imu/imu': 'roadcast.Imu',
        'gnss/gnss': 'foxglove.LocationFix',
        'ground_truth/actors': 'foxglove.SceneUpdate',
        events: 'foxglove.Log',
      });
      for (const channel of fox.channels.values()) {
        expect(channel.encoding).toBe('json');
        expect(channel.schemaEncoding).toBe('jsonschema');
        const schema = JSON.parse(channel.schema);
        expect(schema.type).toBe('object');
        if (channel.schemaName === 'foxglove.PointCloud') expect(Object.keys(schema.properties)).toEqual(['timestamp', 'frame_id', 'pose', 'point_stride', 'fields', 'data']);
      }
      // Subscribe to everything, the map last: once the map arrives, every subscription is in.
      const map = [...fox.channels.values()].find((c) => c.topic === 'map')!;
      for (const channel of fox.channels.values()) if (channel !== map) fox.subscribe(channel);
      fox.subscribe(map);
      await until(() => fox.messages.some((m) => m.topic === 'map'));

      const frames: Frame[] = [];
      const summary = await runScenario({ scenario, rig, duration: 1, sinks: [{ write: (frame) => void frames.push(frame) }, bridge] });
      const expected = frames.filter((f) => f.kind === 'lidar').length;
      expect(expected).toBe(summary.frames['lidar/top']);
      await until(() => fox.messages.filter((m) => m.topic === 'lidar/top').length === expected && fox.messages.filter((m) => m.topic === 'ground_truth/actors').length === summary.frames['ground_truth/actors']);
      await new Promise((resolve) => setTimeout(resolve, 200));

      // The map: one triangle list per class, every triangle of the static scene.
      const mapMessage = fox.messages.find((m) => m.topic === 'map')!.message;
      const triangles = mapMessage.entities[0].triangles as { points: unknown[]; color: { a: number } }[];
      expect(mapMessage.entities[0].frame_id).toBe('world');
      expect(triangles.reduce((n, t) => n + t.points.length, 0)).toBe(scene.classes.length * 3);
      expect(triangles.length).toBe(new Set(scene.classes).size);

      const fromRun = fox.messages.filter((m) => m.topic !== 'map');
      for (const m of fromRun) expect(m.headerTimeNs).toBe(BigInt(m.timeNs));
      // One message per frame and topic (events: one per event, tf: one per sensor frame).
      const sensorFrames = frames.filter((f) => f.frame_id !== 'world').length;
      expect(fromRun.filter((m) => m.topic === 'tf')).toHaveLength(sensorFrames);
      expectMatchesFrames(frames, fromRun);
    } finally {
      fox.client.close();
      await bridge.close();
    }
  });

  it('advertises every channel of a camera at connection, before its first frame', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-foxglove-cameras-'));
    const rigFile = join(dir, 'rig.yaml');
    writeFileSync(rigFile, `sensors:
  - { name: front, type: camera, rate: 10, width: 64, height: 36, fov: 90, mount: { x: 1.5, z: 1.5 }, outputs: [rgb, depth, instance] }
  - { name: fish, type: camera, model: fisheye, rate: 10, width: 32, height: 32, fov: 190, mount: { x: 1.5, z: 1.5 }, outputs: [semantic] }
`);
    const rig = loadRig(rigFile);
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const bridge = new FoxgloveBridge({ port: 0, topics: runTopics(rig), scene: () => roadScene(scenario.network) });
    const url = await bridge.start();
    const fox = connect(url);
    try {
      // No frame has been written: what is advertised comes from the rig alone.
      await until(() => fox.channels.size === 7);
      const advertised = Object.fromEntries([...fox.channels.values()].map((c) => [c.topic, c.schemaName]));
      expect(advertised).toEqual({
        tf: 'foxglove.FrameTransform',
        map: 'foxglove.SceneUpdate',
        'camera/front/rgb': 'foxglove.RawImage',
        'camera/front/depth': 'foxglove.RawImage',
        // Instance ids have no Foxglove image encoding; a fisheye lens has no pinhole calibration.
        'camera/front/calibration': 'foxglove.CameraCalibration',
        'camera/fish/semantic': 'foxglove.RawImage',
        events: 'foxglove.Log',
      });
      const byTopic = new Map([...fox.channels.values()].map((c) => [c.topic, c]));
      fox.subscribe(byTopic.get('camera/front/rgb')!);
      fox.subscribe(byTopic.get('camera/front/calibration')!);
      // The map last: once it arrives, the subscriptions before it are in.
      fox.subscribe(byTopic.get('map')!);
      await until(() => fox.messages.some((m) => m.topic === 'map'));
      const frames: Frame[] = [];
      await runScenario({ scenario, rig, duration: 0.2, threads: 1, sinks: [{ write: (frame) => void frames.push(frame) }, bridge] });
      const front = frames.filter((f) => f.topic === 'camera/front');
      expect(front).toHaveLength(2);
      const fromRun = (): Decoded[] => fox.messages.filter((m) => m.topic !== 'map');
      await until(() => fromRun().length === 4);
      // Published on the channels advertised up front: no new channel appeared.
      expect(fox.channels.size).toBe(7);
      expect(fromRun().map((m) => m.topic).sort()).toEqual(['camera/front/calibration', 'camera/front/calibration', 'camera/front/rgb', 'camera/front/rgb']);
      const rgb = fox.messages.filter((m) => m.topic === 'camera/front/rgb');
      expect(rgb.map((m) => m.timeNs)).toEqual(front.map((f) => f.t_ns));
      expect(Buffer.from(rgb[1].message.data, 'base64').equals(Buffer.from(front[1].data.rgb.bytes))).toBe(true);
    } finally {
      fox.client.close();
      await bridge.close();
    }
  });

  it('accepts the foxglove-sdk subprotocol name too, and refuses others', async () => {
    const bridge = new FoxgloveBridge({ port: 0 });
    const url = await bridge.start();
    try {
      for (const protocol of FOXGLOVE_SUBPROTOCOLS) {
        const socket = new WebSocket(url, [protocol]);
        await new Promise((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
        expect(socket.protocol).toBe(protocol);
        socket.close();
      }
      const refused = new WebSocket(url, ['something.else']);
      await expect(new Promise((resolve, reject) => {
        refused.once('open', resolve);
        refused.once('error', reject);
      })).rejects.toThrow();
    } finally {
      await bridge.close();
    }
  });

  it('advertises a recording\'s camera channels before replaying its first frame', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-foxglove-replay-'));
    const rigFile = join(dir, 'rig.yaml');
    writeFileSync(rigFile, `sensors:
  - { name: front, type: camera, rate: 10, width: 32, height: 18, fov: 90, mount: { x: 1.5, z: 1.5 }, outputs: [rgb, depth] }
  - { name: fish, type: camera, model: fisheye, rate: 10, width: 16, height: 16, fov: 190, mount: { x: 1.5, z: 1.5 }, outputs: [semantic] }
`);
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const file = join(dir, 'run.mcap');
    const recorder = await McapRecorder.open(file);
    await runScenario({ scenario, rig: loadRig(rigFile), duration: 0.2, threads: 1, sinks: [recorder] });
    await recorder.close();
    // What `roadcast replay --foxglove` hands the bridge: each camera's outputs and lens from its first frame.
    const topics = await replayTopics(file, await inspectRecording(file));
    expect(topics.filter((t) => t.kind === 'camera')).toEqual([
      { topic: 'camera/fish', kind: 'camera', outputs: ['semantic'], model: 'fisheye' },
      { topic: 'camera/front', kind: 'camera', outputs: ['rgb', 'depth'], model: 'pinhole' },
    ]);
    const bridge = new FoxgloveBridge({ port: 0, topics });
    const url = await bridge.start();
    const fox = connect(url);
    try {
      await until(() => fox.channels.size === 5);
      expect([...fox.channels.values()].map((c) => c.topic).sort()).toEqual(['camera/fish/semantic', 'camera/front/calibration', 'camera/front/depth', 'camera/front/rgb', 'tf']);
    } finally {
      fox.client.close();
      await bridge.close();
    }
  });

  it('`roadcast run --foxglove` serves a live run to a Foxglove client', async () => {
    const rig = smallRig();
    appendFileSync(rig, '  - { name: cam, type: camera, rate: 10, width: 32, height: 18, fov: 90, mount: { x: 1.5, z: 1.5 }, outputs: [rgb] }\n');
    const { child, url, output } = await startServing(['run', 'scenarios/straight-road.yaml', '--rig', rig, '--realtime', '--duration', '60', '--foxglove', '--foxglove-port', '0']);
    expect(output()).toContain(`Foxglove WebSocket on ${url}`);
    const fox = connect(url, 'foxglove.sdk.v1');
    try {
      await until(() => fox.channels.size >= 10);
      // The camera's channels come from the rig the run passes on.
      const topics = [...fox.channels.values()].map((c) => c.topic);
      expect(topics).toEqual(expect.arrayContaining(['camera/cam/rgb', 'camera/cam/calibration']));
      expect(topics).not.toContain('camera/cam/depth');
      const lidar = [...fox.channels.values()].find((c) => c.topic === 'lidar/top')!;
      expect(lidar.schemaName).toBe('foxglove.PointCloud');
      fox.subscribe(lidar);
      await until(() => fox.messages.length >= 2);
      const cloud = fox.messages[1].message;
      expect(cloud.frame_id).toBe('top');
      expect(Buffer.from(cloud.data, 'base64').byteLength % 16).toBe(0);
      expect(Buffer.from(cloud.data, 'base64').byteLength).toBeGreaterThan(0);
    } finally {
      fox.client.close();
      child.kill('SIGINT');
    }
  });
});
