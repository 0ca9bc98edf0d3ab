"""Reads a ROS 2 bag in MCAP with the consumers' own tools and prints what they decoded as JSON.

rosbags (AnyReader, types from the file's own ros2msg schemas) decodes every message; point
clouds are unpacked with numpy from their PointField layout, images are hashed; the transforms
are composed here (map -> body at the stamp, body -> sensor from /tf_static) into each sensor
message's pose in the map. mcap-ros2-support decodes every message again, and the mcap reader
reports the profile, encodings and QoS. The embedded definitions are compared with rosbags'
own store of ROS 2 Humble's interfaces.
    python readRos2Bag.py BAG.mcap [OTHER.mcap]
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from mcap.reader import make_reader
from mcap_ros2.reader import read_ros2_messages
from rosbags.highlevel import AnyReader
from rosbags.typesys import Stores, get_types_from_msg, get_typestore

DTYPES = {1: 'i1', 2: 'u1', 3: '<i2', 4: '<u2', 5: '<i4', 6: '<u4', 7: '<f4', 8: '<f8'}


def stamp(h):
    return h.stamp.sec * 1_000_000_000 + h.stamp.nanosec


def quat_matrix(x, y, z, w):
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def rigid(t):
    m = np.eye(4)
    m[:3, :3] = quat_matrix(t.rotation.x, t.rotation.y, t.rotation.z, t.rotation.w)
    m[:3, 3] = [t.translation.x, t.translation.y, t.translation.z]
    return m


def cloud(m):
    dtype = np.dtype({'names': [f.name for f in m.fields], 'formats': [DTYPES[f.datatype] for f in m.fields],
                      'offsets': [f.offset for f in m.fields], 'itemsize': m.point_step})
    points = np.frombuffer(bytes(m.data), dtype=dtype, count=m.width * m.height)
    return {'fields': [[f.name, f.offset, f.datatype, f.count] for f in m.fields], 'point_step': m.point_step,
            'row_step': m.row_step, 'width': m.width, 'height': m.height, 'is_dense': bool(m.is_dense),
            'is_bigendian': bool(m.is_bigendian), 'columns': {f.name: points[f.name].tolist() for f in m.fields}}


def decode(msgtype, m):
    if msgtype == 'sensor_msgs/msg/PointCloud2':
        return cloud(m)
    if msgtype == 'sensor_msgs/msg/Image':
        return {'height': m.height, 'width': m.width, 'encoding': m.encoding, 'step': m.step, 'is_bigendian': m.is_bigendian,
                'sha256': hashlib.sha256(bytes(m.data)).hexdigest()}
    if msgtype == 'sensor_msgs/msg/CameraInfo':
        return {'height': m.height, 'width': m.width, 'distortion_model': m.distortion_model, 'd': m.d.tolist(),
                'k': m.k.tolist(), 'r': m.r.tolist(), 'p': m.p.tolist()}
    if msgtype == 'sensor_msgs/msg/Imu':
        q = m.orientation
        return {'orientation': [q.x, q.y, q.z, q.w], 'angular_velocity': [m.angular_velocity.x, m.angular_velocity.y, m.angular_velocity.z],
                'linear_acceleration': [m.linear_acceleration.x, m.linear_acceleration.y, m.linear_acceleration.z]}
    if msgtype == 'sensor_msgs/msg/NavSatFix':
        return {'status': [m.status.status, m.status.service], 'lla': [m.latitude, m.longitude, m.altitude],
                'covariance': m.position_covariance.tolist(), 'covariance_type': m.position_covariance_type}
    if msgtype == 'visualization_msgs/msg/MarkerArray':
        return {'markers': [{'frame_id': k.header.frame_id, 'stamp': stamp(k.header), 'ns': k.ns, 'id': k.id, 'type': k.type, 'action': k.action,
                             'pose': [k.pose.position.x, k.pose.position.y, k.pose.position.z, k.pose.orientation.x, k.pose.orientation.y, k.pose.orientation.z, k.pose.orientation.w],
                             'scale': [k.scale.x, k.scale.y, k.scale.z]} for k in m.markers]}
    if msgtype == 'tf2_msgs/msg/TFMessage':
        return {'transforms': [{'parent': t.header.frame_id, 'child': t.child_frame_id, 'stamp': stamp(t.header)} for t in m.transforms]}
    if msgtype == 'vision_msgs/msg/Detection3DArray':
        return {'detections': [{'frame_id': d.header.frame_id, 'id': d.id,
                                'results': [[r.hypothesis.class_id, r.hypothesis.score] for r in d.results],
                                'pose': [d.bbox.center.position.x, d.bbox.center.position.y, d.bbox.center.position.z,
                                         d.bbox.center.orientation.x, d.bbox.center.orientation.y, d.bbox.center.orientation.z, d.bbox.center.orientation.w],
                                'size': [d.bbox.size.x, d.bbox.size.y, d.bbox.size.z]} for d in m.detections]}
    if msgtype == 'std_msgs/msg/String':
        return {'data': m.data}
    raise ValueError(msgtype)


def read(path):
    humble = get_typestore(Stores.ROS2_HUMBLE)
    out = {'messages': [], 'poses': [], 'definition_mismatches': [], 'unchecked_types': [], 'connections': []}
    statics, dynamics = {}, {}
    with AnyReader([Path(path)]) as reader:
        for c in reader.connections:
            out['connections'].append({'topic': c.topic, 'type': c.msgtype, 'count': c.msgcount,
                                       'qos': [{'reliability': q.reliability.value, 'durability': q.durability.value, 'depth': q.depth} for q in c.ext.offered_qos_profiles]})
            # Every type the file defines, field by field, against ROS 2 Humble's own.
            for name, (consts, fields) in get_types_from_msg(c.msgdef.data, c.msgtype).items():
                if name == 'builtin_interfaces/msg/Time' or name == 'builtin_interfaces/msg/Duration':
                    continue
                if name not in humble.fielddefs:
                    # Not in common_interfaces (vision_msgs): rosbags has no copy to compare with.
                    if name not in out['unchecked_types']:
                        out['unchecked_types'].append(name)
                    continue
                want = humble.fielddefs[name]
                got = ([(k[0], k[1]) for k in consts], [(f[0], repr(f[1])) for f in fields])
                exp = ([(k[0], k[1]) for k in want[0]], [(f[0], repr(f[1])) for f in want[1]])
                if got != exp:
                    out['definition_mismatches'].append({'type': name, 'got': repr(got), 'want': repr(exp)})
        sensed = []
        for c, t, raw in reader.messages():
            m = reader.deserialize(raw, c.msgtype)
            entry = {'topic': c.topic, 'type': c.msgtype, 't': t, **decode(c.msgtype, m)}
            if hasattr(m, 'header'):
                entry['stamp'] = stamp(m.header)
                entry['frame_id'] = m.header.frame_id
                sensed.append(entry)
            if c.topic == '/tf_static':
                for tr in m.transforms:
                    statics[tr.child_frame_id] = (tr.header.frame_id, rigid(tr.transform))
            if c.topic == '/tf':
                for tr in m.transforms:
                    dynamics[(tr.child_frame_id, stamp(tr.header))] = (tr.header.frame_id, rigid(tr.transform))
            out['messages'].append(entry)
    # Each sensor message's frame in the map at its stamp: map -> body (at the stamp) -> sensor.
    for e in sensed:
        if e['frame_id'] not in statics:
            continue
        body, body_from_sensor = statics[e['frame_id']]
        root, map_from_body = dynamics[(body, e['stamp'])]
        out['poses'].append({'topic': e['topic'], 'stamp': e['stamp'], 'root': root, 'body': body,
                             'matrix': (map_from_body @ body_from_sensor)[:3, :].flatten().tolist()})
    # mcap-ros2-support decodes every message too; the mcap reader tells the profile and encodings.
    counts = {}
    for m in read_ros2_messages(path):
        counts[m.channel.topic] = counts.get(m.channel.topic, 0) + 1
    out['mcap_ros2_counts'] = counts
    with open(path, 'rb') as f:
        reader = make_reader(f)
        header = reader.get_header()
        summary = reader.get_summary()
        out['profile'] = header.profile
        out['schema_encodings'] = sorted({s.encoding for s in summary.schemas.values()})
        out['message_encodings'] = sorted({c.message_encoding for c in summary.channels.values()})
        out['channel_ids'] = sorted(summary.channels.keys())
        out['qos_channels'] = sorted(c.topic for c in summary.channels.values() if 'offered_qos_profiles' in c.metadata)
    return out


def raw_messages(path):
    with open(path, 'rb') as f:
        reader = make_reader(f)
        return [[c.topic, m.log_time, hashlib.sha256(m.data).hexdigest()] for _, c, m in reader.iter_messages(log_time_order=True)]


result = read(sys.argv[1])
if len(sys.argv) > 2:
    result['raw'] = raw_messages(sys.argv[1])
    result['other_raw'] = raw_messages(sys.argv[2])
print(json.dumps(result))
