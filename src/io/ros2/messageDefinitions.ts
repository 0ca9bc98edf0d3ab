/**
 * The standard ROS 2 message definitions the ROS 2 export writes, as `ros2msg` schema text the
 * way ROS 2 MCAP files carry them: the type's own .msg text, then each type it uses, every one
 * after a line of 80 `=` and a `MSG: pkg/Type` line. The field lists are those of the public
 * ROS 2 interface definitions (common_interfaces, rcl_interfaces; Humble), so any ROS 2 reader
 * decodes the messages, whether it takes the types from the file or from its own installation.
 * vision_msgs (not in common_interfaces) is that of its ROS 2 Humble release, 4.1.
 */

const TIME = 'int32 sec\nuint32 nanosec\n';
const DURATION = 'int32 sec\nuint32 nanosec\n';
const HEADER = 'builtin_interfaces/Time stamp\nstring frame_id\n';
const VECTOR3 = 'float64 x\nfloat64 y\nfloat64 z\n';
const POINT = 'float64 x\nfloat64 y\nfloat64 z\n';
const QUATERNION = 'float64 x 0\nfloat64 y 0\nfloat64 z 0\nfloat64 w 1\n';
const POSE = 'Point position\nQuaternion orientation\n';
const TRANSFORM = 'Vector3 translation\nQuaternion rotation\n';
const COLOR_RGBA = 'float32 r\nfloat32 g\nfloat32 b\nfloat32 a\n';

const POINT_FIELD = `uint8 INT8    = 1
uint8 UINT8   = 2
uint8 INT16   = 3
uint8 UINT16  = 4
uint8 INT32   = 5
uint8 UINT32  = 6
uint8 FLOAT32 = 7
uint8 FLOAT64 = 8

string name
uint32 offset
uint8  datatype
uint32 count
`;

const POINT_CLOUD2 = `std_msgs/Header header

uint32 height
uint32 width

PointField[] fields

bool    is_bigendian
uint32  point_step
uint32  row_step
uint8[] data

bool is_dense
`;

const IMAGE = `std_msgs/Header header

uint32 height
uint32 width

string encoding

uint8 is_bigendian
uint32 step

uint8[] data
`;

const REGION_OF_INTEREST = `uint32 x_offset
uint32 y_offset
uint32 height
uint32 width
bool do_rectify
`;

const CAMERA_INFO = `std_msgs/Header header

uint32 height
uint32 width

string distortion_model

float64[] d

float64[9]  k

float64[9]  r

float64[12] p

uint32 binning_x
uint32 binning_y

RegionOfInterest roi
`;

const IMU = `std_msgs/Header header

geometry_msgs/Quaternion orientation
float64[9] orientation_covariance

geometry_msgs/Vector3 angular_velocity
float64[9] angular_velocity_covariance

geometry_msgs/Vector3 linear_acceleration
float64[9] linear_acceleration_covariance
`;

const NAV_SAT_STATUS = `int8 STATUS_NO_FIX =  -1
int8 STATUS_FIX =      0
int8 STATUS_SBAS_FIX = 1
int8 STATUS_GBAS_FIX = 2

int8 status

uint16 SERVICE_GPS =     1
uint16 SERVICE_GLONASS = 2
uint16 SERVICE_COMPASS = 4
uint16 SERVICE_GALILEO = 8

uint16 service
`;

const NAV_SAT_FIX = `std_msgs/Header header

NavSatStatus status

float64 latitude

float64 longitude

float64 altitude

float64[9] position_covariance

uint8 COVARIANCE_TYPE_UNKNOWN = 0
uint8 COVARIANCE_TYPE_APPROXIMATED = 1
uint8 COVARIANCE_TYPE_DIAGONAL_KNOWN = 2
uint8 COVARIANCE_TYPE_KNOWN = 3

uint8 position_covariance_type
`;

const TRANSFORM_STAMPED = `std_msgs/Header header
string child_frame_id
Transform transform
`;

const TF_MESSAGE = 'geometry_msgs/TransformStamped[] transforms\n';

const MARKER = `int32 ARROW=0
int32 CUBE=1
int32 SPHERE=2
int32 CYLINDER=3
int32 LINE_STRIP=4
int32 LINE_LIST=5
int32 CUBE_LIST=6
int32 SPHERE_LIST=7
int32 POINTS=8
int32 TEXT_VIEW_FACING=9
int32 MESH_RESOURCE=10
int32 TRIANGLE_LIST=11

int32 ADD=0
int32 MODIFY=0
int32 DELETE=2
int32 DELETEALL=3

std_msgs/Header header
string ns
int32 id
int32 type
int32 action
geometry_msgs/Pose pose
geometry_msgs/Vector3 scale
std_msgs/ColorRGBA color
builtin_interfaces/Duration lifetime
bool frame_locked

geometry_msgs/Point[] points
std_msgs/ColorRGBA[] colors

string texture_resource
sensor_msgs/CompressedImage texture
UVCoordinate[] uv_coordinates

string text

string mesh_resource
MeshFile mesh_file
bool mesh_use_embedded_materials
`;

const COMPRESSED_IMAGE = `std_msgs/Header header

string format

uint8[] data
`;

const UV_COORDINATE = 'float32 u\nfloat32 v\n';
const MESH_FILE = 'string filename\nuint8[] data\n';
const MARKER_ARRAY = 'Marker[] markers\n';
const STRING = 'string data\n';
const POSE_WITH_COVARIANCE = 'Pose pose\nfloat64[36] covariance\n';

// vision_msgs 4.1 (the ROS 2 Humble release of ros-perception/vision_msgs).
const OBJECT_HYPOTHESIS = 'string class_id\nfloat64 score\n';
const OBJECT_HYPOTHESIS_WITH_POSE = 'ObjectHypothesis hypothesis\ngeometry_msgs/PoseWithCovariance pose\n';
const BOUNDING_BOX_3D = 'geometry_msgs/Pose center\ngeometry_msgs/Vector3 size\n';
const DETECTION_3D = `std_msgs/Header header

ObjectHypothesisWithPose[] results

BoundingBox3D bbox

string id
`;
const DETECTION_3D_ARRAY = 'std_msgs/Header header\n\nDetection3D[] detections\n';

/** Every definition by its full name, and the types each uses directly. */
const TYPES: Record<string, { text: string; uses: string[] }> = {
  'builtin_interfaces/Time': { text: TIME, uses: [] },
  'builtin_interfaces/Duration': { text: DURATION, uses: [] },
  'std_msgs/Header': { text: HEADER, uses: ['builtin_interfaces/Time'] },
  'std_msgs/ColorRGBA': { text: COLOR_RGBA, uses: [] },
  'std_msgs/String': { text: STRING, uses: [] },
  'geometry_msgs/Vector3': { text: VECTOR3, uses: [] },
  'geometry_msgs/Point': { text: POINT, uses: [] },
  'geometry_msgs/Quaternion': { text: QUATERNION, uses: [] },
  'geometry_msgs/Pose': { text: POSE, uses: ['geometry_msgs/Point', 'geometry_msgs/Quaternion'] },
  'geometry_msgs/Transform': { text: TRANSFORM, uses: ['geometry_msgs/Vector3', 'geometry_msgs/Quaternion'] },
  'geometry_msgs/TransformStamped': { text: TRANSFORM_STAMPED, uses: ['std_msgs/Header', 'geometry_msgs/Transform'] },
  'sensor_msgs/PointField': { text: POINT_FIELD, uses: [] },
  'sensor_msgs/PointCloud2': { text: POINT_CLOUD2, uses: ['std_msgs/Header', 'sensor_msgs/PointField'] },
  'sensor_msgs/Image': { text: IMAGE, uses: ['std_msgs/Header'] },
  'sensor_msgs/CompressedImage': { text: COMPRESSED_IMAGE, uses: ['std_msgs/Header'] },
  'sensor_msgs/RegionOfInterest': { text: REGION_OF_INTEREST, uses: [] },
  'sensor_msgs/CameraInfo': { text: CAMERA_INFO, uses: ['std_msgs/Header', 'sensor_msgs/RegionOfInterest'] },
  'sensor_msgs/Imu': { text: IMU, uses: ['std_msgs/Header', 'geometry_msgs/Quaternion', 'geometry_msgs/Vector3'] },
  'sensor_msgs/NavSatStatus': { text: NAV_SAT_STATUS, uses: [] },
  'sensor_msgs/NavSatFix': { text: NAV_SAT_FIX, uses: ['std_msgs/Header', 'sensor_msgs/NavSatStatus'] },
  'tf2_msgs/TFMessage': { text: TF_MESSAGE, uses: ['geometry_msgs/TransformStamped'] },
  'visualization_msgs/UVCoordinate': { text: UV_COORDINATE, uses: [] },
  'visualization_msgs/MeshFile': { text: MESH_FILE, uses: [] },
  'visualization_msgs/Marker': {
    text: MARKER,
    uses: ['std_msgs/Header', 'geometry_msgs/Pose', 'geometry_msgs/Vector3', 'std_msgs/ColorRGBA', 'builtin_interfaces/Duration',
      'geometry_msgs/Point', 'sensor_msgs/CompressedImage', 'visualization_msgs/UVCoordinate', 'visualization_msgs/MeshFile'],
  },
  'visualization_msgs/MarkerArray': { text: MARKER_ARRAY, uses: ['visualization_msgs/Marker'] },
  'geometry_msgs/PoseWithCovariance': { text: POSE_WITH_COVARIANCE, uses: ['geometry_msgs/Pose'] },
  'vision_msgs/ObjectHypothesis': { text: OBJECT_HYPOTHESIS, uses: [] },
  'vision_msgs/ObjectHypothesisWithPose': { text: OBJECT_HYPOTHESIS_WITH_POSE, uses: ['vision_msgs/ObjectHypothesis', 'geometry_msgs/PoseWithCovariance'] },
  'vision_msgs/BoundingBox3D': { text: BOUNDING_BOX_3D, uses: ['geometry_msgs/Pose', 'geometry_msgs/Vector3'] },
  'vision_msgs/Detection3D': { text: DETECTION_3D, uses: ['std_msgs/Header', 'vision_msgs/ObjectHypothesisWithPose', 'vision_msgs/BoundingBox3D'] },
  'vision_msgs/Detection3DArray': { text: DETECTION_3D_ARRAY, uses: ['std_msgs/Header', 'vision_msgs/Detection3D'] },
};

/** The ROS 2 message types the export writes, by their names in a ROS 2 MCAP schema (`pkg/msg/Type`). */
export const ROS2_TYPES = {
  pointCloud2: 'sensor_msgs/msg/PointCloud2',
  image: 'sensor_msgs/msg/Image',
  cameraInfo: 'sensor_msgs/msg/CameraInfo',
  imu: 'sensor_msgs/msg/Imu',
  navSatFix: 'sensor_msgs/msg/NavSatFix',
  tfMessage: 'tf2_msgs/msg/TFMessage',
  markerArray: 'visualization_msgs/msg/MarkerArray',
  detection3DArray: 'vision_msgs/msg/Detection3DArray',
  string: 'std_msgs/msg/String',
} as const;

export type Ros2TypeName = (typeof ROS2_TYPES)[keyof typeof ROS2_TYPES];

const SEPARATOR = '='.repeat(80);

/**
 * The `ros2msg` schema of a type (`sensor_msgs/msg/Imu`): its text, then every type it uses,
 * directly or not, each once, in the order first met (depth first), as rosbag2 writes them.
 */
export function ros2MessageDefinition(type: Ros2TypeName): string {
  const root = type.replace('/msg/', '/');
  const order: string[] = [];
  const visit = (name: string): void => {
    for (const used of TYPES[name].uses) {
      if (order.includes(used)) continue;
      order.push(used);
      visit(used);
    }
  };
  visit(root);
  return [TYPES[root].text, ...order.map((name) => `${SEPARATOR}\nMSG: ${name}\n${TYPES[name].text}`)].join('\n');
}
