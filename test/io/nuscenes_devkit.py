# What the real nuScenes devkit makes of a roadcast export: test/io/nuscenes.test.ts runs this
# in the consumer environment (scripts/python-env.sh) and checks its answers against the
# recording and hand values. Prints one JSON object.
#   python nuscenes_devkit.py DATAROOT VERSION EVALDIR
import json
import re
import sys

import numpy as np
from pyquaternion import Quaternion
from nuscenes.nuscenes import NuScenes
from nuscenes.utils.data_classes import LidarPointCloud, RadarPointCloud
from nuscenes.utils.geometry_utils import points_in_box, view_points, BoxVisibility
from nuscenes.eval.detection.config import config_factory
from nuscenes.eval.detection.evaluate import DetectionEval
from nuscenes.eval.detection.utils import category_to_detection_name

dataroot, version, evaldir = sys.argv[1:4]
nusc = NuScenes(version=version, dataroot=dataroot, verbose=False)
out = {'tables': {t: len(getattr(nusc, t)) for t in nusc.table_names}}
# Every token but the visibility levels' ("1".."4", as nuScenes' own) is 32 hex digits, and none repeats.
tokens = [r['token'] for t in nusc.table_names for r in getattr(nusc, t)]
out['not_hex'] = sorted({t for t in tokens if not re.fullmatch('[0-9a-f]{32}', t)})
out['repeated_tokens'] = len(tokens) - len(set(tokens))
f = lambda v: [float(x) for x in np.asarray(v).ravel()]


def walk(table, first):
    records, token = [], first
    while token:
        r = nusc.get(table, token)
        records.append(r)
        token = r['next']
    return records


scenes = []
for scene in nusc.scene:
    samples = walk('sample', scene['first_sample_token'])
    scenes.append({'name': scene['name'], 'nbr_samples': scene['nbr_samples'], 'timestamps': [s['timestamp'] for s in samples],
                   'last_is_last': samples[-1]['token'] == scene['last_sample_token'],
                   'log': nusc.get('log', scene['log_token'])['logfile'],
                   'map_token': nusc.get('log', scene['log_token'])['map_token']})
out['scenes'] = scenes
out['maps'] = [{'token': m['token'], 'logs': len(m['log_tokens']), 'origin': m['world_origin'], 'shape': list(m['mask'].mask().shape)} for m in nusc.map]

# Each channel's sample_data chain from its first record, with the key frames' samples.
channels = {}
first = {}
for sd in nusc.sample_data:
    if sd['prev'] == '' and sd['sample_token'] in {s['token'] for s in nusc.sample if s['scene_token'] == nusc.scene[0]['token']}:
        first[sd['channel']] = sd['token']
for channel, token in first.items():
    chain = walk('sample_data', token)
    cs = nusc.get('calibrated_sensor', chain[0]['calibrated_sensor_token'])
    channels[channel] = {
        'timestamps': [sd['timestamp'] for sd in chain], 'key': [sd['is_key_frame'] for sd in chain],
        'files': [sd['filename'] for sd in chain], 'modality': chain[0]['sensor_modality'],
        'translation': cs['translation'], 'rotation': cs['rotation'], 'intrinsic': cs['camera_intrinsic'],
        'size': [chain[0]['width'], chain[0]['height']],
        'ego': [{'translation': nusc.get('ego_pose', sd['ego_pose_token'])['translation'],
                 'rotation': nusc.get('ego_pose', sd['ego_pose_token'])['rotation']} for sd in chain],
    }
out['channels'] = channels

# The map mask where the ego drives, in the other lane, on the sidewalk and far off the road.
mask = nusc.get('map', nusc.get('log', nusc.scene[0]['log_token'])['map_token'])['mask']
ego = [nusc.get('ego_pose', nusc.get('sample_data', s['data']['LIDAR_TOP'])['ego_pose_token'])['translation'] for s in nusc.sample if s['scene_token'] == nusc.scene[0]['token']]
out['on_mask'] = {k: [bool(mask.is_on_mask(e[0], e[1] + dy)[0]) for e in ego] for k, dy in [('ego', 0), ('other_lane', 3.5), ('sidewalk', -2.75), ('off_road', -30)]}

samples = []
for s in nusc.sample:
    if s['scene_token'] != nusc.scene[0]['token']:
        continue
    entry = {'timestamp': s['timestamp'], 'channels': sorted(s['data'].keys())}
    # LiDAR: the boxes as get_sample_data places them, and the points the devkit finds in each.
    path, boxes, _ = nusc.get_sample_data(s['data']['LIDAR_TOP'])
    pc = LidarPointCloud.from_file(path)
    anns = []
    for b in boxes:
        ann = nusc.get('sample_annotation', b.token)
        anns.append({
            'category': ann['category_name'], 'attributes': [nusc.get('attribute', a)['name'] for a in ann['attribute_tokens']],
            'visibility': ann['visibility_token'], 'translation': ann['translation'], 'size': ann['size'],
            'velocity': [None if np.isnan(v) else float(v) for v in nusc.box_velocity(ann['token'])],
            'num_lidar_pts': ann['num_lidar_pts'], 'num_radar_pts': ann['num_radar_pts'],
            'devkit_lidar_pts': int(points_in_box(b, pc.points[:3]).sum()),
            'center': f(b.center), 'wlh': f(b.wlh), 'rotation_matrix': f(b.rotation_matrix), 'token': b.token,
        })
    entry['lidar_file'] = path[len(dataroot):].lstrip('/')
    entry['anns'] = anns
    # Camera: the boxes in the image, their centres in the optical frame and the bounds of their projected corners.
    if 'CAM_FRONT' in s['data']:
        _, boxes, k = nusc.get_sample_data(s['data']['CAM_FRONT'], box_vis_level=BoxVisibility.ANY)
        entry['camera'] = [{'token': b.token, 'center': f(b.center), 'bounds': f(np.concatenate([view_points(b.corners(), k, True)[:2].min(axis=1), view_points(b.corners(), k, True)[:2].max(axis=1)]))} for b in boxes]
    # Radar: the points the default filters keep inside each box, over every radar's key scan.
    entry['radar'] = {}
    for channel, token in s['data'].items():
        if nusc.get('sample_data', token)['sensor_modality'] != 'radar':
            continue
        path, boxes, _ = nusc.get_sample_data(token)
        pc = RadarPointCloud.from_file(path)
        for b in boxes:
            entry['radar'][b.token] = entry['radar'].get(b.token, 0) + int(points_in_box(b, pc.points[:3]).sum())
    samples.append(entry)
out['samples'] = samples

# Every radar scan: all its points (filters off) and how many the default filters keep.
radar = []
for sd in walk('sample_data', first['RADAR_FRONT']) if 'RADAR_FRONT' in first else []:
    path = nusc.get_sample_data_path(sd['token'])
    kept = RadarPointCloud.from_file(path).nbr_points()
    RadarPointCloud.disable_filters()
    everything = RadarPointCloud.from_file(path)
    RadarPointCloud.default_filters()
    radar.append({'kept': kept, 'xyz': [f(everything.points[:3, i]) for i in range(everything.nbr_points())],
                  'dyn_prop': f(everything.points[3]), 'invalid_state': f(everything.points[14]), 'ambig_state': f(everything.points[11])})
out['radar'] = radar

# The detection evaluation of the ground truth against itself, on the export's custom split of
# its scenes (splits.json), over the classes the split has boxes of.
split = 'roadcast'
results = {}
for s in nusc.sample:
    boxes = []
    for token in s['anns']:
        ann = nusc.get('sample_annotation', token)
        name = category_to_detection_name(ann['category_name'])
        if name is None:
            continue
        velocity = nusc.box_velocity(token)[:2]
        boxes.append({'sample_token': s['token'], 'translation': ann['translation'], 'size': ann['size'], 'rotation': ann['rotation'],
                      'velocity': [0.0, 0.0] if np.any(np.isnan(velocity)) else f(velocity), 'detection_name': name, 'detection_score': 0.9,
                      'attribute_name': nusc.get('attribute', ann['attribute_tokens'][0])['name'] if ann['attribute_tokens'] else ''})
    results[s['token']] = boxes
result_path = f'{evaldir}/results.json'
with open(result_path, 'w') as fh:
    json.dump({'meta': {'use_camera': False, 'use_lidar': True, 'use_radar': False, 'use_map': False, 'use_external': False}, 'results': results}, fh)
cfg = config_factory('detection_cvpr_2019')
evaluation = DetectionEval(nusc, cfg, result_path, split, evaldir, verbose=False)
# The mean is over the classes evaluated; a class the split has no box of would score 0.
present = sorted({b.detection_name for b in evaluation.gt_boxes.all})
evaluation.cfg.class_names = present
metrics, _ = evaluation.evaluate()
out['eval'] = {'classes': present, 'mean_ap': metrics.mean_ap, 'ap': {name: metrics.get_label_ap(name, 2.0) for name in present}}
print(json.dumps(out))
