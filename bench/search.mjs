// search section of `npm run bench`: how many runs each search method needs to find the first
// failure of a scenario whose failure region is known, and how close the cross-entropy method's
// failure-probability estimate comes to a Monte Carlo of the same distributions.
//
// The scenario (bench/search-cut-in.yaml) is a cut-in on the highway's straight: the cutter
// pulls in `gap` m ahead of the ego, `dv` m/s slower, in 1 s; the ego brakes at `brake` m/s²
// from 1.5 s down to the cutter's speed. The gap closes at dv until 1.5 s and then at
// dv − brake·(t − 1.5), so the least gap is
//     gap − 1.5 dv − dv² / (2 brake)
// and the run is a collision exactly where that is at or below 0 (the scenario's bounds keep
// the two apart during the lane change). Every run of every search below is a real simulator
// run (loadRunInputs + runScenario, no sensors, no dressing, 50 ms steps), its objective the
// least distance to the cutter (min(distance, cutter): 0 on contact); each is checked against
// the region: a collision where the formula says one, none where it says none and a least
// distance within TOLERANCE of it. Runs within TOLERANCE of the boundary are not checked: the
// cutter's lane change along its sinusoid costs it 0.1-0.25 m of progress along the lane
// (measured), which the formula leaves out.
//
// Methods, each from ten seeds (the seed's 'search' stream, as `roadcast search --seed`):
// random (batches of 50, until its first failure), cem (batches of 20, a budget of 300, for its
// estimate too) and bo (batches of 5, until its first failure). The Monte Carlo reference draws
// 10^4 variants from the declared distributions and counts those inside the analytic region
// (not simulated: 10^4 more runs would take some seven minutes more on two cores; the region is
// what every run was checked against), beside 10^6 such draws for a narrower interval.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRunInputs, loadScenarioFile, ParameterSearch, Random, runScenario, sampleVariants } from '../dist/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILE = join(ROOT, 'bench', 'search-cut-in.yaml');
const OBJECTIVE = 'min(distance, cutter)';
/** When the ego starts braking: the 1 s lane change and 0.5 s to react. */
const BRAKE_AT = 1.5;
/** m: how far a run's least distance may be from the formula's (see above). */
const TOLERANCE = 0.3;
const SETTINGS = {
  random: { batch: 50, budget: 5000, untilFirst: true },
  cem: { batch: 20, budget: 300, untilFirst: false },
  bo: { batch: 5, budget: 200, untilFirst: true },
};

/** The least bumper-to-bumper gap of the cut-in, in closed form: a collision at or below 0. */
export function leastGap({ gap, dv, brake }) {
  return gap - BRAKE_AT * dv - (dv * dv) / (2 * brake);
}

/** One real run of the cut-in: its objective (the least distance to the cutter) and whether it collided. */
async function simulate(params) {
  const inputs = await loadRunInputs(FILE, { params, objectives: { search: OBJECTIVE }, dressing: false });
  const summary = await runScenario({ scenario: inputs.scenario, rig: { ...inputs.rig, sensors: [] }, seed: inputs.seed, duration: inputs.duration, sinks: [], threads: 1 });
  const objective = summary.criticality.objectives?.search;
  return { objective: typeof objective === 'number' ? objective : Infinity, collided: summary.events.some((e) => e.type === 'collision') };
}

class Agreement {
  runs = 0;
  checked = 0;
  nearBoundary = 0;
  disagreements = [];
  maxError = 0;

  add(params, result) {
    this.runs++;
    const gap = leastGap(params);
    if (Math.abs(gap) <= TOLERANCE) {
      this.nearBoundary++;
      return;
    }
    this.checked++;
    const error = gap > 0 && Number.isFinite(result.objective) ? Math.abs(result.objective - gap) : 0;
    this.maxError = Math.max(this.maxError, error);
    if ((gap < 0) !== result.collided || error > TOLERANCE) this.disagreements.push({ params, least_gap: gap, objective: result.objective, collided: result.collided });
  }
}

async function searchOnce(method, seed, specs, agreement) {
  const { batch, budget, untilFirst } = SETTINGS[method];
  const s = new ParameterSearch(method, specs, new Random(seed).split('search'));
  let runs = 0, first = null;
  while (runs < budget && !(untilFirst && first !== null)) {
    const told = [];
    for (const proposal of s.ask(Math.min(batch, budget - runs))) {
      const result = await simulate(proposal.params);
      agreement.add(proposal.params, result);
      runs++;
      if (first === null && result.objective <= 0) first = runs;
      told.push({ proposal, objective: result.objective });
      if (untilFirst && first !== null) break;
    }
    s.tell(told);
  }
  return { first, runs, estimate: s.estimate() };
}

function median(values) {
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const m = sorted.length / 2;
  const value = sorted.length % 2 ? sorted[Math.floor(m)] : (sorted[m - 1] + sorted[m]) / 2;
  return Number.isFinite(value) ? value : null;
}

/** A binomial proportion's 95 % Wilson score interval. */
function wilson(failures, n) {
  const z = 1.959964, p = failures / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), centre + half];
}

function monteCarlo(specs, n, name) {
  const variants = sampleVariants(specs, n, new Random(2024).split(name));
  const failures = variants.filter((v) => leastGap(v) <= 0).length;
  return { runs: n, failures, probability: failures / n, ci95: wilson(failures, n) };
}

export async function benchSearch({ seeds = 10 } = {}) {
  const start = performance.now();
  const specs = (await loadScenarioFile(FILE)).parameters;
  const agreement = new Agreement();
  const result = { scenario: 'bench/search-cut-in.yaml', objective: OBJECTIVE, failure_region: `gap - ${BRAKE_AT} dv - dv^2 / (2 brake) <= 0`, settings: SETTINGS, seeds };
  const byMethod = {};
  for (const method of Object.keys(SETTINGS)) {
    byMethod[method] = [];
    for (let seed = 1; seed <= seeds; seed++) byMethod[method].push(await searchOnce(method, seed, specs, agreement));
  }
  result.first_failure = Object.fromEntries(Object.entries(byMethod).map(([method, runs]) => [method, {
    median: median(runs.map((r) => r.first)), per_seed: runs.map((r) => r.first), found: runs.filter((r) => r.first !== null).length,
  }]));
  const randomMedian = result.first_failure.random.median;
  result.fewer_runs_than_random = Object.fromEntries(['cem', 'bo'].map((m) => [m, randomMedian && result.first_failure[m].median ? randomMedian / result.first_failure[m].median : null]));
  result.monte_carlo = { ...monteCarlo(specs, 1e4, 'monte-carlo'), on: 'the analytic region (draws from the declared distributions, not simulated)' };
  result.reference = { ...monteCarlo(specs, 1e6, 'reference'), on: 'the analytic region' };
  const estimates = byMethod.cem.map((r) => r.estimate);
  const inside = (p) => estimates.filter((e) => e.ci95[0] <= p && p <= e.ci95[1]).length;
  result.cem_estimate = {
    median: median(estimates.map((e) => e.probability)),
    per_seed: estimates,
    monte_carlo_inside_ci95: inside(result.monte_carlo.probability),
    reference_inside_ci95: inside(result.reference.probability),
    inside_monte_carlo_ci95: estimates.filter((e) => result.monte_carlo.ci95[0] <= e.probability && e.probability <= result.monte_carlo.ci95[1]).length,
  };
  result.agreement = { runs: agreement.runs, checked: agreement.checked, near_boundary: agreement.nearBoundary, disagreements: agreement.disagreements.length, max_error_m: agreement.maxError, tolerance_m: TOLERANCE, first_disagreements: agreement.disagreements.slice(0, 5) };
  result.seconds = (performance.now() - start) / 1000;
  result.ms_per_run = (result.seconds * 1000) / agreement.runs;
  return result;
}

export function printSearch(r) {
  const f = r.first_failure;
  console.log(`search: a cut-in whose collision region is known (${r.failure_region}), ${r.seeds} seeds each, every run simulated`);
  for (const m of ['random', 'cem', 'bo']) {
    const ratio = m === 'random' ? '' : `   ${r.fewer_runs_than_random[m]?.toFixed(1) ?? '-'}x fewer than random`;
    console.log(`  ${m.padEnd(6)} runs to the first failure: median ${f[m].median ?? `> ${r.settings[m].budget}`} (${f[m].per_seed.map((v) => v ?? '-').join(' ')})${ratio}`);
  }
  const mc = r.monte_carlo, ref = r.reference, e = r.cem_estimate;
  console.log(`  failure probability: Monte Carlo of 10^4 on the region ${mc.probability.toExponential(2)} (95 % ${mc.ci95.map((v) => v.toExponential(2)).join(' to ')}), of 10^6 ${ref.probability.toExponential(3)}`);
  console.log(`  cem's estimate (budget ${r.settings.cem.budget}): median ${e.median.toExponential(2)}; its 95 % interval holds the 10^4 Monte Carlo for ${e.monte_carlo_inside_ci95} of ${r.seeds} seeds, the 10^6 one for ${e.reference_inside_ci95}; the estimate is inside the 10^4 Monte Carlo's interval for ${e.inside_monte_carlo_ci95}`);
  const a = r.agreement;
  console.log(`  runs against the region: ${a.checked} checked, ${a.disagreements} disagree (least distance within ${a.tolerance_m} m: largest error ${a.max_error_m.toFixed(3)} m), ${a.near_boundary} within ${a.tolerance_m} m of the boundary not checked`);
  console.log(`  ${a.runs} runs in ${r.seconds.toFixed(0)} s (${r.ms_per_run.toFixed(0)} ms a run)`);
}
