import { Command, Option } from 'commander';
import { UserError } from '../core/errors.js';
import { parseGrid, parseParam } from '../scenario/parameters.js';
import { addBackendOptions, FAIL_ON, FAILED_RUN_EXIT, nonNegativeInteger, positiveSeconds, type FailOn } from './options.js';
import type { RaycastBackendName } from '../raycast/gpu/RaycastBackend.js';
import { addSearchQueueOptions, addSweepQueueOptions, addSweepStatusCommand, queuedSweep, queueTarget, type QueuedSweepFlags, type QueueFlags } from './queueCommands.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--param name=value` flags as an object (for loadScenarioFile). */
export function paramFlags(values: string[] = []): Record<string, string> {
  return Object.fromEntries(values.map(parseParam));
}

/**
 * The scenario commands: `roadcast sweep`, `roadcast scenario check` and
 * `roadcast scenario schema`. Wired into the program by `addScenarioCommands(program)`.
 */
export function addScenarioCommands(program: Command): void {
  const sweepCommand = program
    .command('sweep')
    .description('Run a scenario for every combination of parameter values (--grid) or N samples of its declared distributions (--samples), or the variants an OpenSCENARIO ParameterValueDistribution file declares, in parallel processes; one recording per run plus index.json; resumes where it stopped.')
    .argument('<scenario>', 'scenario file (YAML, JSON, .xosc, or .ts/.js module), or a ParameterValueDistribution .xosc')
    .option('--grid <name=values>', 'an axis: name=a,b,c or name=from:to:step (repeatable)', collect)
    .option('--samples <n>', 'draw N variants from the declared distributions', nonNegativeInteger)
    .option('--seed <n>', 'seed for sampling and the runs (default: the scenario\'s)', nonNegativeInteger)
    .option('--param <name=value>', 'a fixed parameter value for every run (repeatable)', collect);
  // Not a required option: commander would require it of `sweep status` too.
  addRunSetOptions(sweepCommand)
    .option('--out <dir>', 'output folder for recordings and index.json (required)')
    .addOption(new Option('--index-format <format>', 'csv: also index.csv, one row per run (parameters, outcome, criticality, objectives) for spreadsheets and pandas').choices(['json', 'csv']).default('json'))
    .addOption(new Option('--fail-on <outcome...>', 'exit with status 2 when any run ends so: failure, collision, timeout').choices(FAIL_ON));
  addSweepQueueOptions(sweepCommand);
  addBackendOptions(sweepCommand)
    .action(async (file: string, flags: QueuedSweepFlags & { grid?: string[]; samples?: number; seed?: number; param?: string[]; duration?: number; jobs?: number; rig?: string; dressing: boolean; out: string; indexFormat: 'json' | 'csv'; failOn?: FailOn[]; backend?: RaycastBackendName; gpuAdapter?: string }) => {
      if (!flags.out) throw new UserError("required option '--out <dir>' not specified");
      // Loaded here, not with the command declarations: it brings the XML reader, which `--help` must not load.
      const { isDistributionFile } = await import('../scenario/OscDistribution.js');
      if (flags.samples === undefined && (!flags.grid || flags.grid.length === 0) && !isDistributionFile(file)) {
        throw new UserError('sweep needs --grid name=values or --samples N (or an OpenSCENARIO ParameterValueDistribution file, which declares its variants)');
      }
      if (flags.samples !== undefined && flags.grid) throw new UserError('give either --grid or --samples, not both');
      const { describeBackend, sweep } = await import('../index.js');
      if (flags.queue) {
        return queuedSweep({
          file, out: flags.out, grid: flags.grid?.map(parseGrid), samples: flags.samples, seed: flags.seed, duration: flags.duration, rig: flags.rig, dressing: flags.dressing,
          fixed: paramFlags(flags.param), backend: flags.backend, gpuAdapter: flags.gpuAdapter, onRaycastBackend: (info) => console.log(describeBackend(info)), indexFormat: flags.indexFormat,
        }, flags);
      }
      if (flags.window !== undefined || flags.detach || flags.retryFailed || flags.queueName || flags.queueCa) throw new UserError('--window, --detach, --retry-failed, --queue-name and --queue-ca are for a sweep on a queue: give --queue');
      const tty = process.stderr.isTTY;
      const index = await sweep({
        file, out: flags.out, grid: flags.grid?.map(parseGrid), samples: flags.samples, seed: flags.seed, duration: flags.duration,
        jobs: flags.jobs === 0 ? undefined : flags.jobs, rig: flags.rig, dressing: flags.dressing, fixed: paramFlags(flags.param),
        backend: flags.backend, gpuAdapter: flags.gpuAdapter, onRaycastBackend: (info) => console.log(describeBackend(info)), indexFormat: flags.indexFormat,
        onProgress: (done, total, result) => {
          const width = 30;
          const bar = '#'.repeat(Math.round((done / Math.max(total, 1)) * width)).padEnd(width, '.');
          const line = `[${bar}] ${done}/${total}${result ? ` ${result.id} ${result.error ? `error: ${result.error}` : result.outcome.result}` : ''}`;
          if (tty) process.stderr.write(`\r${line.padEnd(80)}`);
          else process.stderr.write(`${line}\n`);
        },
      });
      if (tty) process.stderr.write('\n');
      const counts = new Map<string, number>();
      for (const run of index.runs) counts.set(run.outcome.result, (counts.get(run.outcome.result) ?? 0) + 1);
      console.log(`Swept ${index.runs.length} runs of ${index.scenario}${index.distribution ? ` (variants of ${file})` : ''}: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
      console.log(`Index: ${flags.out}/index.json${flags.indexFormat === 'csv' ? ` and ${flags.out}/index.csv` : ''}`);
      const errors = index.runs.filter((r) => r.outcome.result === 'error');
      if (errors.length > 0) {
        // A run that could not be made is the sweep's failure, whatever the others did.
        throw new UserError(`${errors.length} of ${index.runs.length} runs failed with an error (first, ${errors[0].id}: ${errors[0].error})`);
      }
      const failOn = flags.failOn ?? [];
      const failed = index.runs.filter((r) => failOn.some((c) => (c === 'collision' ? r.events.some((e) => e.type === 'collision') : r.outcome.result === c)));
      if (failed.length > 0) {
        console.error(`roadcast: ${failed.length} of ${index.runs.length} runs failed (--fail-on ${failOn.join(' ')}): ${failed.map((r) => r.id).join(', ')}`);
        process.exitCode = FAILED_RUN_EXIT;
      }
    });

  addSweepStatusCommand(sweepCommand);

  const searchCommand = program
    .command('search')
    .description('Search a scenario\'s declared parameter distributions for the variants whose objective is least (a margin: at or below 0 is a failure): random (Monte Carlo), cem (cross-entropy importance sampling, with the failure probability under the declared distributions) or bo (Bayesian optimisation: a Gaussian process and expected improvement, for the most critical variant); every run recorded as in a sweep, then search.json and report.html.')
    .argument('<scenario>', 'scenario file with parameters that declare distributions')
    .requiredOption('--objective <expr>', 'what to minimise: min(<metric>) or max(<metric>) [+/- number], optionally against one actor (min(ttc, cutter)), or collision')
    .requiredOption('--budget <n>', 'runs in all', nonNegativeInteger)
    .addOption(new Option('--method <method>', 'how to propose variants').choices(['random', 'cem', 'bo']).default('cem'))
    .option('--batch <n>', 'runs proposed at a time (default: a tenth of the budget, 10 to 50)', nonNegativeInteger)
    .option('--seed <n>', 'seed for the proposals and the runs (default: the scenario\'s)', nonNegativeInteger);
  addSearchQueueOptions(addRunSetOptions(searchCommand).requiredOption('--out <dir>', 'output folder for recordings, index.json and search.json'));
  searchCommand.action(async (file: string, flags: QueueFlags & { objective: string; budget: number; method: 'random' | 'cem' | 'bo'; batch?: number; seed?: number; duration?: number; jobs?: number; rig?: string; dressing: boolean; out: string; window?: number }) => {
    if (flags.batch === 0) throw new UserError('--batch must be at least 1');
    if (flags.queue && flags.jobs !== undefined) throw new UserError('--jobs is for a local search: with --queue, give each `roadcast worker` its --jobs');
    if (!flags.queue && (flags.window !== undefined || flags.queueName || flags.queueCa)) throw new UserError('--window, --queue-name and --queue-ca are for a search on a queue: give --queue');
    const { search } = await import('../index.js');
    const tty = process.stderr.isTTY;
    const report = await search({
      file, out: flags.out, objective: flags.objective, budget: flags.budget, method: flags.method, batch: flags.batch, seed: flags.seed,
      duration: flags.duration, jobs: flags.jobs === 0 ? undefined : flags.jobs, rig: flags.rig, dressing: flags.dressing,
      ...(flags.queue ? { queue: await queueTarget(flags), window: flags.window } : {}),
      onProgress: (done, total) => { if (tty) process.stderr.write(`\r${done}/${total} runs`.padEnd(40)); },
    });
    if (tty) process.stderr.write('\n');
    const failures = report.runs.filter((r) => r.objective !== null && r.objective <= 0).length;
    console.log(`Searched ${report.runs.length} runs of ${file} (${report.method}, objective ${report.objective}): ${failures} at or below 0`);
    if (report.top[0]) console.log(`Most critical: ${report.top[0].id} objective ${report.top[0].objective} with ${Object.entries(report.top[0].params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    const e = report.estimate;
    if (!e) console.log(`No failure-probability estimate: ${report.estimate_note}`);
    else console.log(`Failure probability under the declared distributions: ${e.probability.toExponential(3)} (95 % ${e.ci95[0].toExponential(2)} to ${e.ci95[1].toExponential(2)}; ${e.failures} failures, effective sample size ${e.ess.toFixed(1)} of ${e.runs} runs)`);
    console.log(`Results: ${flags.out}/search.json`);
  });

  const scenario = program.command('scenario').description('Check scenario files and print their schema.');
  scenario
    .command('check')
    .description('Check everything a run checks before simulating: the scenario against its map, its parameters, its storyboard references, and the sensor rig; list actors, storyboard, sensors and warnings.')
    .argument('<scenario>', 'scenario file')
    .option('--param <name=value>', 'a parameter value (repeatable)', collect)
    .option('--rig <file>', 'check with this sensor rig (default: the scenario\'s)')
    .option('--json', 'print the loaded scenario as JSON')
    .action(async (file: string, flags: { param?: string[]; rig?: string; json?: boolean }) => {
      const { loadRunInputs, startRun } = await import('../index.js');
      const { scenario: s, rig, rigFile, seed } = await loadRunInputs(file, { params: paramFlags(flags.param), rig: flags.rig });
      // Every actor placed as the run's first step places it (overlaps, relative positions).
      startRun(s, seed);
      if (flags.json) {
        console.log(JSON.stringify({ ...s, network: undefined, rig: rigFile }, null, 2));
        return;
      }
      console.log(`${file}: "${s.name}" on ${s.mapFile || 'no map (free space)'}`);
      console.log(`  actors: ${s.actors.map((a) => `${a.id} (${a.kind}${a.ego ? ', ego' : ''})`).join(', ')}`);
      const events = s.storyboard.acts.reduce((n, a) => n + a.maneuvers.reduce((m, x) => m + x.events.length, 0), 0);
      console.log(`  storyboard: ${s.storyboard.acts.length} act(s), ${events} event(s)${s.storyboard.stopTrigger ? ', a stop trigger' : ''}`);
      if (s.parameters.length > 0) console.log(`  parameters: ${s.parameters.map((p) => `${p.name}=${s.parameterValues[p.name]}`).join(', ')}`);
      console.log(`  rig: ${rigFile}: ${rig.sensors.map((x) => `${x.type}/${x.name}`).join(', ')}`);
      for (const w of s.warnings) console.log(`  warning: ${w}`);
    });
  scenario
    .command('schema')
    .description('Print the JSON Schema of YAML/JSON scenario files.')
    .action(async () => {
      const { scenarioSchema } = await import('../index.js');
      console.log(JSON.stringify(scenarioSchema(), null, 2));
    });
}

/** The options every run of a sweep or a search shares: duration, parallel jobs, rig and dressing. */
function addRunSetOptions(command: Command): Command {
  return command
    .option('--duration <s>', 'simulated seconds per run (default: the scenario\'s; runs also end when the storyboard ends)', positiveSeconds)
    .addOption(new Option('--jobs <n>', 'parallel processes (default: the core count)').argParser(nonNegativeInteger))
    .option('--rig <file>', 'sensor rig for every run (default: the scenario\'s)')
    .option('--no-dressing', 'no roadside objects in any run (buildings, street lights, trees, parked cars)');
}
