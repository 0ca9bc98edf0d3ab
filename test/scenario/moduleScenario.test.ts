/**
 * Scenarios written as TypeScript modules, wherever a user keeps them, and `roadcast init`:
 * run with the built CLI from folders outside the repository, as a user would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('dist/cli/main.js');
const TOWN = resolve('maps/town.xodr');

function roadcast(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A folder outside the repository, with a package.json of the given type (none when undefined). */
function folder(type: 'module' | 'commonjs' | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-ts-scenario-'));
  if (type) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', ...(type === 'module' ? { type } : {}) }));
  return dir;
}

const SCENARIO = (body: string): string => `import { act, at, scenario, when } from 'roadcast';
export default scenario({
  name: 'mine',
  map: ${JSON.stringify(TOWN)},
  duration: 1,
  buildings: 0,
  actors: [{ id: 'ego', kind: 'car', ego: true, position: at.lane('6', -1, 5), speed: 5 }],
  storyboard: { events: [{ name: 'done', trigger: when.time(0.5), actions: [act.succeed('half a second')] }] },
  ${body}
});
`;

describe('TypeScript scenarios outside the repository', () => {
  it('load in an ES module folder with nothing installed: `roadcast` resolves to the running roadcast', () => {
    const dir = folder('module');
    writeFileSync(join(dir, 'mine.ts'), SCENARIO(''));
    const check = roadcast(dir, 'scenario', 'check', 'mine.ts');
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('mine.ts: "mine" on');
    const run = roadcast(dir, 'run', 'mine.ts', '--no-record');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Outcome: success at 0.50 s (half a second)');
  });

  it('in a CommonJS folder, or with no package.json, fail in one line that says what to change', () => {
    for (const type of ['commonjs', undefined] as const) {
      const dir = folder(type);
      writeFileSync(join(dir, 'mine.ts'), SCENARIO(''));
      const result = roadcast(dir, 'run', 'mine.ts');
      expect(result.status).toBe(1);
      expect(result.stderr.split('\n')).toHaveLength(2);
      expect(result.stderr).toMatch(/^roadcast: mine\.ts: a scenario module must load as an ES module/);
      expect(result.stderr).toContain(type ? `add "type": "module" to that package.json` : 'add a package.json with {"type": "module"} beside it');
      expect(result.stderr).toContain('rename the file to .mts');
      // As it says: the same file renamed to .mts loads there.
      writeFileSync(join(dir, 'mine.mts'), SCENARIO(''));
      expect(roadcast(dir, 'scenario', 'check', 'mine.mts').status).toBe(0);
    }
  });

  it('report a validation error, a wrong type and a throwing scenario function in one line, like YAML', () => {
    const dir = folder('module');
    writeFileSync(join(dir, 'kind.ts'), SCENARIO('').replace("kind: 'car'", "kind: 'carr' as 'car'"));
    const kind = roadcast(dir, 'scenario', 'check', 'kind.ts');
    expect(kind.status).toBe(1);
    expect(kind.stderr).toBe('roadcast: kind.ts ($.actors[0].kind): expected one of car, van, truck, bus, cyclist, pedestrian, child, parked_car, cone, barrier, got "carr"\n');
    writeFileSync(join(dir, 'nan.ts'), SCENARIO('').replace('speed: 5', 'speed: Number("fast")'));
    const nan = roadcast(dir, 'scenario', 'check', 'nan.ts');
    expect(nan.status).toBe(1);
    expect(nan.stderr).toBe("roadcast: nan.ts ($.actors[0].speed): expected a number, got NaN\n");
    writeFileSync(join(dir, 'throws.ts'), `import { scenario } from 'roadcast';
export default scenario({ parameters: { n: 1 } }, () => { throw new RangeError('no map for n'); });
`);
    const throws = roadcast(dir, 'scenario', 'check', 'throws.ts');
    expect(throws.status).toBe(1);
    expect(throws.stderr).toBe('roadcast: throws.ts: building the scenario failed: no map for n\n');
    writeFileSync(join(dir, 'module.ts'), "throw new Error('broken at import');\n");
    expect(roadcast(dir, 'scenario', 'check', 'module.ts').stderr).toBe('roadcast: module.ts: cannot load the scenario module: broken at import\n');
  });
});

describe('roadcast scenario check', () => {
  it('names a storyboard element that does not exist, with its path', () => {
    const dir = folder(undefined);
    writeFileSync(join(dir, 'ref.yaml'), [
      'name: ref', `map: ${TOWN}`, 'buildings: 0',
      'actors: [{ id: ego, kind: car, ego: true, road: "6", lane: -1, s: 5 }]',
      'storyboard:',
      '  events:',
      '    - { name: brake, trigger: { type: simulationTime, value: 1, rule: greaterOrEqual }, actions: [{ type: speed, actor: ego, target: 0 }] }',
      '    - { name: after, trigger: { type: timeSince, element: brakes, value: 2 }, actions: [{ type: end, outcome: success, reason: r }] }',
      '',
    ].join('\n'));
    const result = roadcast(dir, 'scenario', 'check', 'ref.yaml');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^roadcast: ref\.yaml:8 \(\$\.storyboard\.events\[1\]\.trigger\.element\): no storyboard element "brakes" \(events, acts, maneuvers and actions: .*brake.*\)\n$/);
  });

  it('checks the rig as a run would: that it exists, and that its sensors are mounted on actors', () => {
    const dir = folder(undefined);
    const write = (rig: string): void => writeFileSync(join(dir, 's.yaml'), ['name: s', `map: ${TOWN}`, `rig: ${rig}`, 'actors: [{ id: ego, kind: car, ego: true, road: "6", lane: -1, s: 5 }]', ''].join('\n'));
    write('missing.yaml');
    const missing = roadcast(dir, 'scenario', 'check', 's.yaml');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`roadcast: ${join(dir, 'missing.yaml')}: no such sensor rig file\n`);
    writeFileSync(join(dir, 'rig.yaml'), 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, parent: van }\n');
    write('rig.yaml');
    const parent = roadcast(dir, 'scenario', 'check', 's.yaml');
    expect(parent.status).toBe(1);
    expect(parent.stderr).toBe(`roadcast: ${join(dir, 'rig.yaml')}: sensor "top" is mounted on "van", which is not an actor here (actors: ego)\n`);
  });
});

describe('roadcast init', () => {
  it('writes a project whose TypeScript scenario type-checks and runs, with nothing else installed', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'roadcast-init-')), 'my-scenarios');
    const init = roadcast(tmpdir(), 'init', dir);
    expect(init.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.type).toBe('module');
    expect(pkg.name).toBe('my-scenarios');
    expect(readFileSync(join(dir, 'maps', 'town.xodr')).equals(readFileSync(TOWN))).toBe(true);
    for (const file of ['scenario.ts', 'sensors/rig.yaml', 'tsconfig.json', 'README.md', '.gitignore']) expect(existsSync(join(dir, file))).toBe(true);
    const run = roadcast(dir, 'run', 'scenario.ts', '--duration', '1');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Recorded to out/scenario.mcap');
    // What `npm install` does for the devDependency (a link to this roadcast), then the
    // editor's view: the scenario type-checks against roadcast's published types.
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('.'), join(dir, 'node_modules', 'roadcast'), 'dir');
    const tsc = spawnSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('refuses a folder that is not empty, in one line, writing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-init-full-'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const result = roadcast(tmpdir(), 'init', dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`roadcast: ${dir}: already exists and is not an empty folder; give a new folder name\n`);
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
  });
});
