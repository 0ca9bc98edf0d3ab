/**
 * roadcast's public API. The CLI calls only what is exported here, so a script can run the
 * same pipeline: load a scenario and a rig, run it, and hand frames to sinks.
 */
import './core/three.js';

export { UserError, isUserError } from './core/errors.js';
export { FRAME_VERSION, arrayField, fieldArray, type ArrayField, type Dtype, type Frame, type Pose } from './core/frame.js';
export { Random } from './core/Random.js';
export { SimClock } from './core/SimClock.js';
export { SEMANTIC_CLASSES, classId, semanticClass, type SemanticClass } from './core/semantic.js';
export { ACTOR_KINDS, ACTOR_KIND_NAMES, actorKind, type ActorCategory, type ActorKind, type ActorKindName } from './core/actorKinds.js';
export { MeshBuilder, soupFromGeometry } from './core/MeshBuilder.js';
export { composePose, quatFromRollPitchYaw, poseFromYaw } from './core/pose.js';
export { ROADCAST_VERSION } from './core/version.js';

export { readOpenDrive, parseOpenDrive } from './map/OpenDriveReader.js';
export { RoadNetwork } from './map/RoadNetwork.js';
export { Road, type Crosswalk, type Lane, type LaneSection, type LaneSpan, type RoadFrame, type RoadLink, type RoadPose } from './map/Road.js';
export { buildRoadMesh, sampleStations, tessellateSection, type RoadMeshOptions } from './map/RoadMesh.js';
export type { Junction, JunctionConnection } from './map/Junction.js';
export { LaneGraph, DRIVABLE_TYPES, type LanePosition, type LaneRef, type Route } from './map/LaneGraph.js';
export type { RoadPosition } from './map/RoadLocator.js';
export { mapInfo, roadSummaries, sampleReferenceLine, type MapInfo, type ReferenceSample, type RoadSummary } from './map/MapInfo.js';
export { generateTown, type TownOptions } from './map/TownGenerator.js';
export { generateHighway } from './map/HighwayGenerator.js';

export { loadScenario, loadScenarioFile, type LoadOptions } from './scenario/loadScenario.js';
export type { ActorSpec, Scenario, Position, ControllerSpec, ConditionSpec, ActionSpec, ActionWithName, TriggerSpec, StoryboardSpec, ParameterSpec, Distribution, Dynamics } from './scenario/Scenario.js';
export { buildScenario, scenarioSchema, type ScenarioDefinition, type ActorDefinition, type EventDefinition, type TriggerDefinition } from './scenario/definition.js';
export { scenario, at, when, act, kmh, sinusoidal, linearRate, type ScenarioModule } from './scenario/builders.js';
export { readOpenScenario } from './scenario/OpenScenario.js';
export { parseGrid, parseParam, gridVariants, sampleVariants } from './scenario/parameters.js';

export { Simulation, type SimulationOptions } from './sim/Simulation.js';
export { StaticActors, type StaticActorSpec } from './sim/StaticActors.js';
export type { SimEvent } from './sim/events.js';
export type { ActorState, WorldState, ScenarioOutcome } from './sim/WorldState.js';
export type { ExternalCommand } from './scenario/controllers/External.js';
export { benchSimulation, benchmarkScenario } from './sim/benchmark.js';

export { World, type WorldOptions, type PlacedPart } from './world/World.js';
export { drawActorBuild, type ActorBuild } from './sim/BodyStyles.js';
export { MATERIALS, material, materialId, surfaceAlbedo, surfaceNir, type Material, type Appearance } from './core/materials.js';
export { buildStaticWorld, staticActorsMesh, type StaticWorldOptions } from './world/StaticWorld.js';
export { planRoadside, type DressingOptions, type RoadsidePlan, type BuildingSpec, type TreeSpec, type StreetLightSpec, type SignSpec, type BollardSpec, type GuardrailSpec } from './world/RoadsideDressing.js';
export { actorModel } from './world/ActorModels.js';

export { buildBvh } from './raycast/Bvh.js';
export { buildMeshBvh, type MeshBvh } from './raycast/MeshBvh.js';
export { RaycastScene, createHitBuffer, MISS, type CastOptions, type HitBuffer, type Instance, type RayBatch } from './raycast/RaycastScene.js';
export { RaycastPool, type RaycastPoolOptions } from './raycast/RaycastPool.js';
export { GpuRaycaster, openGpuAdapter, type GpuAdapterInfo, type GpuOptions } from './raycast/gpu/GpuRaycaster.js';
export { describeBackend, openRaycastBackend, RAYCAST_BACKENDS, type RaycastBackendInfo, type RaycastBackendName } from './raycast/gpu/RaycastBackend.js';

export { Lidar } from './sensors/Lidar.js';
export { LIDAR_PRESETS, type LidarPreset } from './sensors/LidarPresets.js';
export { Radar } from './sensors/Radar.js';
export { RADAR_PRESETS, type RadarConfig } from './sensors/RadarConfig.js';
export { Imu } from './sensors/Imu.js';
export { Gnss } from './sensors/Gnss.js';
export type { GnssConfig, ImuConfig } from './sensors/MotionSensorConfig.js';
export { GroundTruth } from './sensors/GroundTruth.js';
export { Camera, type CameraVisibility } from './sensors/camera/Camera.js';
export { Lens } from './sensors/camera/Lens.js';
export { cameraConfig, CAMERA_OUTPUTS, type CameraConfig, type CameraOutput, type Distortion } from './sensors/CameraConfig.js';
export { loadRig, mountPose, type LidarConfig, type Mount, type Rig, type SensorConfig } from './sensors/Rig.js';
export { mountSensors, type MountedSensor, type StepContext } from './sensors/Rigging.js';

export * from './io/index.js';
export * from './run/index.js';
