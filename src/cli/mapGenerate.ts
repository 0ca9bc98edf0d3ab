import { Command, InvalidArgumentError } from 'commander';
import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateTown } from '../index.js';
import { nonNegativeInteger } from './options.js';

function grid(value: string): { columns: number; rows: number } {
  const match = /^(\d+)x(\d+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected COLUMNSxROWS such as 3x3, got "${value}"`);
  return { columns: Number(match[1]), rows: Number(match[2]) };
}

function metres(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a length in metres > 0, got "${value}"`);
  return n;
}

/** `roadcast map generate`: writes a grid town as OpenDRIVE (to a temporary name, then renamed). */
export function addMapGenerateCommand(map: Command): void {
  map.command('generate')
    .description('Write a grid town as OpenDRIVE: two-way roads, sidewalks, crosswalks, junctions with turning connections.')
    .option('--grid <CxR>', 'junctions along x and y', grid, { columns: 3, rows: 3 })
    .option('--block <m>', 'distance between neighbouring junctions (m)', metres, 80)
    .option('--seed <n>', 'seed for the jitter of the block lengths', nonNegativeInteger, 1)
    .requiredOption('--out <file>', 'the .xodr file to write')
    .action((flags: { grid: { columns: number; rows: number }; block: number; seed: number; out: string }) => {
      const text = generateTown({ ...flags.grid, block: flags.block, seed: flags.seed });
      mkdirSync(dirname(flags.out), { recursive: true });
      const temporary = `${flags.out}.${process.pid}.tmp`;
      writeFileSync(temporary, text);
      renameSync(temporary, flags.out);
      console.log(`Wrote ${flags.out}: a ${flags.grid.columns}x${flags.grid.rows} town, blocks of ${flags.block} m, seed ${flags.seed}`);
    });
}
