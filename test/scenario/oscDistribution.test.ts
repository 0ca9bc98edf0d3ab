import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { MAX_VARIANTS, readParameterDistribution } from '../../src/scenario/OscDistribution.js';
import { sweep, type SweepIndex } from '../../src/run/Sweep.js';
import { userError } from '../helpers.js';

// OpenSCENARIO ParameterValueDistribution files: the variants they declare, against values
// listed by hand (deterministic) and the moments of the distributions (stochastic).

const dir = mkdtempSync(join(tmpdir(), 'osc-distribution-'));

function distribution(name: string, body: string, scenario = 'scenario.xosc'): string {
  const file = join(dir, name);
  writeFileSync(file, `<?xml version="1.0"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="${name}" author="roadcast tests"/>
<ParameterValueDistribution><ScenarioFile filepath="${scenario}"/>
${body}
</ParameterValueDistribution></OpenSCENARIO>`);
  return file;
}

const single = (name: string, inner: string) => `<DeterministicSingleParameterDistribution parameterName="${name}">${inner}</DeterministicSingleParameterDistribution>`;
const set = (...values: string[]) => `<DistributionSet>${values.map((v) => `<Element value="${v}"/>`).join('')}</DistributionSet>`;
const range = (step: number, lower: number, upper: number) => `<DistributionRange stepWidth="${step}"><Range lowerLimit="${lower}" upperLimit="${upper}"/></DistributionRange>`;
const stochastic = (runs: number, seed: number, ...dists: string[]) => `<Stochastic numberOfTestRuns="${runs}" randomSeed="${seed}">${dists.join('')}</Stochastic>`;
const stoch = (name: string, inner: string) => `<StochasticDistribution parameterName="${name}">${inner}</StochasticDistribution>`;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('deterministic distributions', () => {
  it('two single-parameter distributions (3 × 4 values) give their 12 combinations, the last varying fastest', () => {
    const file = distribution('grid.xosc', `<Deterministic>${single('Lane', set('-1', '-2', 'left'))}${single('Speed', range(2.5, 10, 18))}</Deterministic>`);
    const d = readParameterDistribution(file);
    expect(d.kind).toBe('deterministic');
    expect(d.scenarioFile).toBe(join(dir, 'scenario.xosc'));
    // The range: 10, 12.5, 15, 17.5 (20 > 18).
    const speeds = [10, 12.5, 15, 17.5];
    expect(d.variants).toEqual([-1, -2, 'left'].flatMap((Lane) => speeds.map((Speed) => ({ Lane, Speed }))));
  });

  it('a DistributionRange is lower, lower + step, … up to upper, the upper end included when a step lands on it', () => {
    const file = distribution('range.xosc', `<Deterministic>${single('X', range(0.1, 0, 0.3))}</Deterministic>`);
    expect(readParameterDistribution(file).variants.map((v) => v.X)).toEqual([0, 0.1, 0.2, 0.3]);
    const file2 = distribution('range2.xosc', `<Deterministic>${single('X', range(4, -3, 6))}</Deterministic>`);
    expect(readParameterDistribution(file2).variants.map((v) => v.X)).toEqual([-3, 1, 5]);
  });

  it('ParameterValueSets of a multi-parameter distribution cross with the single ones', () => {
    const sets = `<DeterministicMultiParameterDistribution><ValueSetDistribution>
      <ParameterValueSet><ParameterAssignment parameterRef="A" value="1"/><ParameterAssignment parameterRef="B" value="x"/></ParameterValueSet>
      <ParameterValueSet><ParameterAssignment parameterRef="A" value="2"/><ParameterAssignment parameterRef="B" value="y"/></ParameterValueSet>
    </ValueSetDistribution></DeterministicMultiParameterDistribution>`;
    const file = distribution('sets.xosc', `<Deterministic>${sets}${single('C', set('7', '8'))}</Deterministic>`);
    expect(readParameterDistribution(file).variants).toEqual([
      { A: 1, B: 'x', C: 7 }, { A: 1, B: 'x', C: 8 }, { A: 2, B: 'y', C: 7 }, { A: 2, B: 'y', C: 8 },
    ]);
  });

  it('a cross product over the limit is refused before anything runs, naming its line', () => {
    // 400 × 400 = 160,000 > 100,000.
    const file = distribution('huge.xosc', `<Deterministic>${single('A', range(1, 1, 400))}${single('B', range(1, 1, 400))}</Deterministic>`);
    const error = userError(() => readParameterDistribution(file));
    expect(MAX_VARIANTS).toBe(100_000);
    expect(error.where).toMatch(/huge\.xosc:4$/);
    expect(error.message).toContain('400 × 400 = 160000 variants, more than the 100000');
    const user = distribution('user.xosc', `<Deterministic>${single('A', '<UserDefinedDistribution type="mine">1;2</UserDefinedDistribution>')}</Deterministic>`);
    expect(userError(() => readParameterDistribution(user)).message).toMatch(/UserDefinedDistribution is not supported/);
  });
});

describe('stochastic distributions', () => {
  it('uniform: every draw in range, the same seed the same draws, the mean within 3σ/√n of the midpoint', () => {
    const n = 400;
    const body = (seed: number) => stochastic(n, seed, stoch('X', '<UniformDistribution><Range lowerLimit="2" upperLimit="6"/></UniformDistribution>'));
    const xs = readParameterDistribution(distribution('u1.xosc', body(42))).variants.map((v) => v.X as number);
    expect(xs).toHaveLength(n);
    for (const x of xs) expect(x >= 2 && x <= 6).toBe(true);
    expect(readParameterDistribution(distribution('u2.xosc', body(42))).variants.map((v) => v.X)).toEqual(xs);
    expect(readParameterDistribution(distribution('u3.xosc', body(43))).variants.map((v) => v.X)).not.toEqual(xs);
    // Uniform on [2, 6]: mean 4, σ = 4/√12.
    expect(Math.abs(mean(xs) - 4)).toBeLessThan((3 * (4 / Math.sqrt(12))) / Math.sqrt(n));
  });

  it('a NormalDistribution with a Range is truncated: every draw inside, with the truncated normal\'s mean', () => {
    const n = 2000;
    const file = distribution('normal.xosc', stochastic(n, 7, stoch('X', '<NormalDistribution expectedValue="0" variance="4"><Range lowerLimit="-1" upperLimit="3"/></NormalDistribution>')));
    const xs = readParameterDistribution(file).variants.map((v) => v.X as number);
    for (const x of xs) expect(x >= -1 && x <= 3).toBe(true);
    // μ = 0, σ = 2, α = −0.5, β = 1.5: mean = σ(φ(α) − φ(β))/(Φ(β) − Φ(α))
    // = 2 (0.352065 − 0.129518)/(0.933193 − 0.308538) = 0.712561; variance σ²[1 + (αφ(α) − βφ(β))/Z − ((φ(α) − φ(β))/Z)²]
    // = 4 [1 + (−0.176033 − 0.194277)/0.624655 − 0.126925] = 1.121 → sd 1.0588.
    expect(Math.abs(mean(xs) - 0.712561)).toBeLessThan((3 * 1.0588) / Math.sqrt(n));
    // Untruncated, some draws of N(0, 4) fall below −1 (P = 0.31).
    const free = readParameterDistribution(distribution('normal-free.xosc', stochastic(200, 7, stoch('X', '<NormalDistribution expectedValue="0" variance="4"/>'))));
    expect(free.variants.some((v) => (v.X as number) < -1)).toBe(true);
  });

  it('ProbabilityDistributionSet, Poisson and Histogram draw what they declare', () => {
    const n = 1000;
    const file = distribution('mixed.xosc', stochastic(n, 3,
      stoch('Kind', '<ProbabilityDistributionSet><Element value="car" weight="3"/><Element value="truck" weight="1"/></ProbabilityDistributionSet>'),
      stoch('K', '<PoissonDistribution expectedValue="4"><Range lowerLimit="0" upperLimit="100"/></PoissonDistribution>'),
      stoch('H', '<Histogram><Bin weight="1"><Range lowerLimit="0" upperLimit="1"/></Bin><Bin weight="0"><Range lowerLimit="5" upperLimit="6"/></Bin></Histogram>')));
    const v = readParameterDistribution(file).variants;
    // car with p = 3/4: binomial sd √(n·p·(1 − p)) = 13.7.
    const cars = v.filter((x) => x.Kind === 'car').length;
    expect(Math.abs(cars - 750)).toBeLessThan(3 * 13.7);
    expect(v.every((x) => x.Kind === 'car' || x.Kind === 'truck')).toBe(true);
    // Poisson(4): whole numbers, mean 4, sd 2.
    expect(v.every((x) => Number.isInteger(x.K))).toBe(true);
    expect(Math.abs(mean(v.map((x) => x.K as number)) - 4)).toBeLessThan((3 * 2) / Math.sqrt(n));
    // A bin of weight 0 is never drawn.
    expect(v.every((x) => (x.H as number) >= 0 && (x.H as number) <= 1)).toBe(true);
  });
});

describe('roadcast sweep DIST.xosc', () => {
  // A free-space scenario (quick to run) with two parameters.
  const scenario = join(dir, 'speeds.xosc');
  writeFileSync(scenario, `<?xml version="1.0"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="speeds" author="roadcast tests"/>
<ParameterDeclarations><ParameterDeclaration name="Speed" parameterType="double" value="10"/><ParameterDeclaration name="X" parameterType="double" value="0"/></ParameterDeclarations>
<Entities><ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car"><BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox>
<Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/><Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/>
<RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles><Properties/></Vehicle></ScenarioObject></Entities>
<Storyboard><Init><Actions><Private entityRef="Ego"><PrivateAction><TeleportAction><Position><WorldPosition x="$X" y="0" h="0"/></Position></TeleportAction></PrivateAction>
<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="$Speed"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Private></Actions></Init>
<StopTrigger/></Storyboard></OpenSCENARIO>`);
  const rig = join(dir, 'rig.yaml');
  writeFileSync(rig, 'sensors:\n  - { name: actors, type: ground_truth, rate: 10 }\n');

  it('runs the declared variants and writes them to index.json; run on the file points to sweep', async () => {
    const file = distribution('speeds-dist.xosc', `<Deterministic>${single('Speed', set('5', '15'))}${single('X', range(50, 0, 100))}</Deterministic>`, 'speeds.xosc');
    const out = join(dir, 'sweep');
    const index = await sweep({ file, out, jobs: 1, rig, duration: 0.5, dressing: false });
    const expected = [5, 15].flatMap((Speed) => [0, 50, 100].map((X) => ({ Speed, X })));
    expect(index.runs.map((r) => r.params)).toEqual(expected);
    expect(index.runs.every((r) => r.outcome.result !== 'error')).toBe(true);
    const saved = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    expect(saved).toMatchObject({ scenario: scenario, distribution: file });
    expect(saved.runs.map((r) => r.params)).toEqual(expected);
    const error = userError(() => loadScenario(file));
    expect(error.message).toContain(`run all its variants with \`roadcast sweep ${file} --out DIR\``);
    await expect(sweep({ file, out: join(dir, 'sweep2'), grid: [{ name: 'X', values: [1] }] })).rejects.toThrow(/declares the variants itself/);
    const unknown = distribution('unknown-dist.xosc', `<Deterministic>${single('Nope', set('1'))}</Deterministic>`, 'speeds.xosc');
    await expect(sweep({ file: unknown, out: join(dir, 'sweep3') })).rejects.toThrow(/distributes Nope, which the scenario .*speeds\.xosc does not declare \(its parameters: Speed, X\)/);
  });

  it('the CLI (built dist) sweeps a distribution file without --grid', () => {
    const file = distribution('cli-dist.xosc', `<Deterministic>${single('Speed', set('5', '6'))}</Deterministic>`, 'speeds.xosc');
    const out = join(dir, 'sweep-cli');
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'sweep', file, '--rig', rig, '--out', out, '--jobs', '1', '--duration', '0.2'], { encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/needs --grid/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Swept 2 runs of ${scenario} (variants of ${file})`);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    expect(index.runs.map((r) => r.params)).toEqual([{ Speed: 5 }, { Speed: 6 }]);
  });
});
