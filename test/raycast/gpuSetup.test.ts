/**
 * The GPU backend's set-up: rays whose answers are known by hand, adapter choice, the error
 * when there is no adapter (from the API and from `roadcast run --backend gpu`), and a device
 * that survives garbage collection (the object Dawn's create() returns must outlive it, or
 * the process segfaults). Each check runs in a child process (gpuHelpers.ts).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectRecording } from '../../src/io/McapSource.js';
import { gpuEnv, gpuTitle, probeGpu, REQUIRE_GPU, runGpuChild, runNode, type Probe } from './gpuHelpers.js';

/** Child processes on a software adapter, on CI's loaded cores: far more than the default minute. */
const GPU_TEST_TIMEOUT = 240_000;

interface Hit {
  distance: number | 'Infinity';
  normal: number[];
  instanceId: number;
  classId: number;
}

const probe = probeGpu();
const ROAD = 7, BUILDING = 11, VEHICLE = 26, MISS = 0xffffffff;
/** A JavaScript stack frame in an error's output (Dawn's own warnings name .cpp files). */
const JS_STACK = /^\s+at .*\.(js|ts|mjs):\d+/m;

describe.skipIf(!probe.ok && !REQUIRE_GPU)(gpuTitle('GPU raycaster', probe), () => {
  it('finds the hand-computed hits: a plane below, a wall ahead, nothing above, an instance turned 90 degrees, a slanted ray', () => {
    const result = runGpuChild<{ gpu: Hit[]; cpu: Hit[]; ignoring: Hit[] }>('handRays');
    expect(result.status, result.stderr).toBe(0);
    const { gpu, cpu, ignoring } = result.json!;
    const expected: [number | 'Infinity', number[], number, number][] = [
      [7.5, [0, 0, 1], 0, ROAD],
      [20, [-1, 0, 0], 0, BUILDING],
      ['Infinity', [0, 0, 0], MISS, 0],
      [10, [0, -1, 0], 42, VEHICLE],
      [1.25, [0, 0, 1], 0, ROAD],
    ];
    for (const hits of [gpu, cpu]) {
      expected.forEach(([distance, normal, instanceId, cls], i) => {
        if (distance === 'Infinity') expect(hits[i].distance).toBe('Infinity');
        else expect(hits[i].distance as number).toBeCloseTo(distance, 5);
        hits[i].normal.forEach((n, a) => expect(n).toBeCloseTo(normal[a], 6));
        expect(hits[i].instanceId).toBe(instanceId);
        expect(hits[i].classId).toBe(cls);
      });
    }
    // The plate ignored (a sensor's own vehicle): the ray goes on to nothing.
    expect(ignoring[3]).toMatchObject({ distance: 'Infinity', instanceId: MISS });
    expect(ignoring[1]).toMatchObject({ distance: 20, instanceId: 0, classId: BUILDING });
  }, GPU_TEST_TIMEOUT);

  it('survives full garbage collections on both threads while its device lives', () => {
    const result = runGpuChild<{ survivedGc: boolean; workerCollected: boolean }>('handRays', ['--gc'], gpuEnv(), ['--expose-gc']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.json).toMatchObject({ survivedGc: true, workerCollected: true });
  }, GPU_TEST_TIMEOUT);

  it('runs `roadcast run --backend gpu` the same, byte for byte, twice, and records the backend and adapter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-gpu-run-'));
    const files = [join(dir, 'a.mcap'), join(dir, 'b.mcap')];
    for (const file of files) {
      const result = runNode(['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--duration', '0.3', '--record', file, '--backend', 'gpu'], gpuEnv());
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Raycasting LiDAR and radar on the GPU: ${probe.adapter!.name}`);
      expect(result.stdout).toContain('lidar/top: 3');
    }
    expect(readFileSync(files[0]).equals(readFileSync(files[1]))).toBe(true);
    const { metadata } = await inspectRecording(files[0]);
    expect(metadata.raycast_backend).toBe('gpu');
    expect(metadata.raycast_adapter).toBe(`${probe.adapter!.name}${probe.adapter!.software ? ' (software)' : ''}`);
  }, GPU_TEST_TIMEOUT);
});

describe('the CPU backend', () => {
  it('is the default, and recorded as such', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'roadcast-cpu-run-')), 'c.mcap');
    const result = runNode(['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--duration', '0.1', '--record', file], process.env);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('Raycasting');
    const { metadata } = await inspectRecording(file);
    expect(metadata.raycast_backend).toBe('cpu');
    expect('raycast_adapter' in metadata).toBe(false);
  }, GPU_TEST_TIMEOUT);
});

describe('GPU adapter choice and its absence', () => {
  const swiftShader = probe.ok && /swiftshader/i.test(probe.adapter!.name);

  it.runIf(swiftShader)('picks an adapter by a part of its name, and names those it saw when none matches', () => {
    expect(runGpuChild<Probe>('probe', ['SwiftShader']).json).toMatchObject({ ok: true, adapter: { software: true } });
    const none = runGpuChild<Probe>('probe', ['no-such-adapter']).json!;
    expect(none.ok).toBe(false);
    expect(none.reason).toBe('no WebGPU adapter whose name contains "no-such-adapter" (adapters seen: SwiftShader Device (Subzero))');
  }, GPU_TEST_TIMEOUT);

  it('says which Vulkan driver manifest is missing', () => {
    const result = runGpuChild<Probe>('probe', [], gpuEnv({ VK_ICD_FILENAMES: '/nonexistent/icd.json' }));
    expect(result.json?.ok).toBe(false);
    expect(result.json?.reason).toMatch(/^no WebGPU adapter: the Vulkan driver manifest \/nonexistent\/icd\.json named by VK_ICD_FILENAMES does not exist\. For the software adapter \(tests\): LD_LIBRARY_PATH=/);
  }, GPU_TEST_TIMEOUT);

  it('fails `roadcast run --backend gpu` without an adapter with one line and status 1, never falling back to the CPU', () => {
    const env = gpuEnv({ VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    const result = runNode(['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--duration', '0.1', '--no-record', '--backend', 'gpu'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('roadcast: --backend gpu: no WebGPU adapter: the Vulkan driver manifest /nonexistent/icd.json');
    expect(result.stderr).not.toMatch(JS_STACK);
    expect(result.stdout).not.toContain('Ran ');
    // `auto` takes the CPU instead, and says why.
    const auto = runNode(['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--duration', '0.1', '--no-record', '--backend', 'auto'], env);
    expect(auto.status, auto.stderr).toBe(0);
    expect(auto.stdout).toContain('Raycasting on the CPU (no GPU used: no WebGPU adapter: the Vulkan driver manifest /nonexistent/icd.json');
  }, GPU_TEST_TIMEOUT);

  it('fails `roadcast sweep --backend gpu` without an adapter before any run', () => {
    const env = gpuEnv({ VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    const out = join(mkdtempSync(join(tmpdir(), 'roadcast-gpu-sweep-')), 'sweep');
    const result = runNode(['dist/cli/main.js', 'sweep', 'scenarios/cut-in.yaml', '--grid', 'egoSpeed=20,25', '--duration', '0.1', '--out', out, '--jobs', '1', '--backend', 'gpu'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('roadcast: --backend gpu: no WebGPU adapter: the Vulkan driver manifest /nonexistent/icd.json');
    expect(result.stderr).not.toMatch(JS_STACK);
    expect(existsSync(join(out, 'index.json'))).toBe(false);
  }, GPU_TEST_TIMEOUT);

  it('refuses an unknown backend name', () => {
    const result = runNode(['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--backend', 'tpu'], gpuEnv());
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--backend <name>' argument 'tpu' is invalid/);
  }, GPU_TEST_TIMEOUT);
});
