/**
 * Frames to ROS 2 MCAP messages (the `ros2` profile): each frame's messages
 * (ros2FrameMessages.ts) and the transforms it adds (Ros2Transforms.ts), serialised as CDR by
 * @foxglove/rosmsg2-serialization from the `ros2msg` definitions the file carries as schemas,
 * each channel with the `offered_qos_profiles` rosbag2 records. Deterministic: the same frames
 * in the same order give the same messages.
 */
import { parse } from '@foxglove/rosmsg';
import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import type { Frame } from '../../core/frame.js';
import { ros2MessageDefinition, type Ros2TypeName } from './messageDefinitions.js';
import { ros2FrameMessages, tfMessage, TF_STATIC_TOPIC, TF_TOPIC, type Ros2Message } from './ros2FrameMessages.js';
import { Ros2Transforms } from './Ros2Transforms.js';

/** The MCAP header profile, schema encoding and message encoding of a ROS 2 file. */
export const ROS2_PROFILE = 'ros2';
export const ROS2_SCHEMA_ENCODING = 'ros2msg';
export const ROS2_MESSAGE_ENCODING = 'cdr';

/** A serialised message with what its channel is registered with. */
export interface Ros2Record {
  topic: string;
  /** The schema's name, `pkg/msg/Type`. */
  schemaName: string;
  schemaText: string;
  /** The channel's metadata: `offered_qos_profiles`. */
  channelMetadata: Map<string, string>;
  /** Counts from 0 per topic. */
  sequence: number;
  tNs: number;
  data: Uint8Array;
}

/**
 * rosbag2's QoS record of a publisher (YAML, enum values as rmw numbers): reliable, and for
 * /tf_static transient-local with depth 1, so a player re-latches it as tf2's static
 * broadcaster does; volatile, keep-last 10 for the rest. Infinite durations as rosbag2 writes them.
 */
function qosProfile(latched: boolean): string {
  const infinite = '    sec: 2147483647\n    nsec: 4294967295\n';
  return [
    `- history: 1\n  depth: ${latched ? 1 : 10}\n  reliability: 1\n  durability: ${latched ? 1 : 2}\n`,
    `  deadline:\n${infinite}  lifespan:\n${infinite}  liveliness: 1\n  liveliness_lease_duration:\n${infinite}`,
    '  avoid_ros_namespace_conventions: false\n',
  ].join('');
}

export class Ros2Encoder {
  #transforms = new Ros2Transforms();
  #writers = new Map<Ros2TypeName, { writer: MessageWriter; text: string }>();
  #sequences = new Map<string, number>();
  #qos = { latched: new Map([['offered_qos_profiles', qosProfile(true)]]), volatile: new Map([['offered_qos_profiles', qosProfile(false)]]) };

  /** The records of one frame: its transforms first, then its own messages. */
  encode(frame: Frame): Ros2Record[] {
    const messages: Ros2Message[] = [];
    const { statics, dynamic } = this.#transforms.add(frame);
    if (statics) messages.push(tfMessage(TF_STATIC_TOPIC, frame.t_ns, statics));
    if (dynamic) messages.push(tfMessage(TF_TOPIC, frame.t_ns, [dynamic]));
    messages.push(...ros2FrameMessages(frame));
    return messages.map((m) => this.#record(m));
  }

  #record(m: Ros2Message): Ros2Record {
    let entry = this.#writers.get(m.type);
    if (!entry) {
      const text = ros2MessageDefinition(m.type);
      entry = { writer: new MessageWriter(parse(text, { ros2: true })), text };
      this.#writers.set(m.type, entry);
    }
    const sequence = this.#sequences.get(m.topic) ?? 0;
    this.#sequences.set(m.topic, sequence + 1);
    return {
      topic: m.topic,
      schemaName: m.type,
      schemaText: entry.text,
      channelMetadata: m.topic === TF_STATIC_TOPIC ? this.#qos.latched : this.#qos.volatile,
      sequence,
      tNs: m.tNs,
      data: entry.writer.writeMessage(m.message),
    };
  }
}
