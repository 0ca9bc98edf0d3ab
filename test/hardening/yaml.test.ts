/**
 * YAML and JSON scenarios and rigs (core/ConfigDocument.ts, core/UserFile.ts): files that
 * used to crash with a stack trace (an empty file, undefined or recursive aliases, alias
 * bombs, deep nesting) or hang and fill memory (/dev/zero, a FIFO, a huge file) are each
 * refused with one line naming the file and line, within a time and memory bound.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_LIMITS } from '../../src/core/UserFile.js';
import { MAX_ALIAS_EXPANSION, MAX_YAML_DEPTH } from '../../src/core/yamlLimits.js';
import { expectOneLineError, roadcast } from './bounded.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const map = resolve('maps/straight_two_lane.xodr');

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const check = (file: string, ...flags: string[]): ReturnType<typeof roadcast> => roadcast(['scenario', 'check', file, ...flags]);

/** Ten lists of ten aliases of the list before: 10^k nodes from a few hundred bytes. */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\nname: bomb\nmap: ${map}\nactors: []\n`;
}

describe('YAML scenarios and rigs', () => {
  it('an empty file, or one holding only null, is one line naming the file', () => {
    const empty = write('empty.yaml', '');
    expectOneLineError(check(empty), new RegExp(`^roadcast: ${escape(empty)}:1: the file is empty; expected a mapping`));
    const comments = write('comments.yaml', '# nothing here\n\n');
    expectOneLineError(check(comments), /comments\.yaml:1: the file is empty/);
    const tilde = write('null.yaml', '~\n');
    expectOneLineError(check(tilde), /null\.yaml:1 \(\$\): expected a mapping with name, map and actors, got nothing/);
    const list = write('list.yaml', '- a\n- b\n');
    expectOneLineError(check(list), /list\.yaml:1 \(\$\): expected a mapping with name, map and actors, got a list/);
    const rig = write('empty-rig.yaml', '');
    expectOneLineError(check('scenarios/straight-road.yaml', '--rig', rig), new RegExp(`${escape(rig)}:1: the file is empty`));
  }, 180_000);

  it('an alias with no anchor before it names the alias and its line', () => {
    const file = write('undefined-alias.yaml', `name: x\nmap: *nope\nactors: []\n`);
    expectOneLineError(check(file), new RegExp(`${escape(file)}:2: alias \\*nope has no anchor &nope before it`));
    // Used before its anchor counts as undefined too: YAML anchors only look back.
    const late = write('late-alias.yaml', `name: *n\nmap: &n ${map}\nactors: []\n`);
    expectOneLineError(check(late), /late-alias\.yaml:1: alias \*n has no anchor &n before it/);
  }, 120_000);

  it('an alias inside the node it names (a value that contains itself) is refused, not walked for ever', () => {
    const file = write('recursive.yaml', `name: x\nmap: ${map}\nloop: &a [1, [2, *a]]\nactors: []\n`);
    expectOneLineError(check(file), /recursive\.yaml:3: alias \*a lies inside the node it names/);
    const mapping = write('recursive-map.yaml', `a: &a { b: { c: *a } }\n`);
    expectOneLineError(check(mapping), /recursive-map\.yaml:1: alias \*a lies inside the node it names/);
  }, 120_000);

  it('an alias bomb is refused at the alias that overflows, without expanding it', () => {
    const file = write('bomb.yaml', aliasBomb(9));
    const line = expectOneLineError(check(file), new RegExp(`${escape(file)}:\\d+: aliases expand the document by more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} nodes`));
    // Line k + 1 holds ten aliases of a list of about 1.1 * 10^k nodes: the aliases on line 6
    // add 10 * 111,111 nodes, the first million and more.
    expect(line).toMatch(/bomb\.yaml:6:/);
  });

  it('one anchor used more than a hundred times is fine (the yaml package alone refused it)', () => {
    // Two lanes of 60 cars 6 m apart: a drawn car is at most 5.4 m long (a pick-up), so none start inside another.
    const actors = Array.from({ length: 120 }, (_, i) => `  - { id: car${i}, kind: car, ego: ${i === 0}, road: "1", lane: ${i % 2 ? 1 : -1}, s: ${Math.floor(i / 2) * 6 + 10}, speed: *v }`);
    const withAnchor = write('many-aliases2.yaml', `name: many\nmap: ${map}\nactors:\n  - { id: a, kind: car, ego: true, road: "1", lane: -1, s: 1, speed: &v 5 }\n${actors.slice(1).join('\n')}\n`);
    const result = check(withAnchor);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/car119 \(car\)/);
  });

  it('collections nested beyond the limit are refused before the recursive parser sees them', () => {
    for (const [name, text] of [
      ['flow.yaml', `name: x\nmap: ${map}\nactors: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`],
      ['maps.yaml', `a: ${'{b: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`],
      ['block.yaml', Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
      ['dashes.yaml', `a: ${'- '.repeat(5_000)}x\n`],
    ] as const) {
      const file = write(name, text);
      expectOneLineError(check(file), new RegExp(`${escape(file)}:\\d+: collections are nested more than ${MAX_YAML_DEPTH} levels deep`));
    }
  }, 180_000);

  it('a device, a FIFO, a folder and a file over the size limit are refused without reading them', () => {
    expectOneLineError(check('/dev/zero'), /^roadcast: \/dev\/zero: is not a regular file \(a device, pipe or socket\); give a scenario file$/);
    expectOneLineError(check('scenarios/straight-road.yaml', '--rig', '/dev/urandom'), /\/dev\/urandom: is not a regular file .* give a sensor rig file$/);
    const fifo = join(dir, 'pipe.yaml');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status === 0) expectOneLineError(check(fifo), new RegExp(`${escape(fifo)}: is not a regular file`));
    expectOneLineError(check(dir + '/'), /is a folder, not a scenario file/);
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, 'name: x\n');
    truncateSync(huge, FILE_LIMITS.config + 1);
    expectOneLineError(check(huge), new RegExp(`${escape(huge)}: is 4 MiB \\(4,194,305 bytes\\); a scenario file may be at most 4 MiB`));
  }, 180_000);
});
