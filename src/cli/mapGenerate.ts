import { Command, InvalidArgumentError, Option } from 'commander';
import { metres, nonNegativeInteger, writeFileAtomically } from './options.js';

function grid(value: string): { columns: number; rows: number } {
  const match = /^(\d+)x(\d+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected COLUMNSxROWS such as 3x3, got "${value}"`);
  return { columns: Number(match[1]), rows: Number(match[2]) };
}

/** `roadcast map generate`: writes a grid town as OpenDRIVE (to a temporary name, then renamed). */
export function addMapGenerateCommand(map: Command): void {
  map.command('generate')
    .description('Write a grid town as OpenDRIVE (two-way roads, sidewalks, crosswalks, signalled junctions with turning connections), or with --highway a highway with clothoid bends and an on-ramp.')
    .addOption(new Option('--grid <CxR>', 'junctions along x and y').argParser(grid).default({ columns: 3, rows: 3 }, '3x3'))
    .option('--block <m>', 'distance between neighbouring junctions (m)', metres, 80)
    .option('--seed <n>', 'seed for the jitter of the block lengths', nonNegativeInteger, 1)
    .addOption(new Option('--left-turns <how>', 'left turns at signalled junctions: on the round light\'s green (permissive), or protected: arrow lights and a left-turn phase per axis').choices(['permissive', 'protected']).default('permissive'))
    .addOption(new Option('--control <how>', 'how junctions are controlled: traffic lights, or stop signs on the north-south streets (east-west have priority)').choices(['signals', 'stop-signs']).default('signals'))
    .option('--highway', 'write the highway with an on-ramp instead of a town (--grid, --block and --seed do not apply)')
    .requiredOption('--out <file>', 'the .xodr file to write')
    .action(async (flags: { grid: { columns: number; rows: number }; block: number; seed: number; out: string; highway?: boolean; control: string; leftTurns: 'permissive' | 'protected' }) => {
      const { generateHighway, generateTown } = await import('../index.js');
      const text = flags.highway ? generateHighway() : generateTown({ ...flags.grid, block: flags.block, seed: flags.seed, control: flags.control === 'stop-signs' ? 'stop_signs' : 'signals', leftTurns: flags.leftTurns });
      writeFileAtomically(flags.out, text);
      console.log(flags.highway
        ? `Wrote ${flags.out}: a highway with clothoid bends and an on-ramp`
        : `Wrote ${flags.out}: a ${flags.grid.columns}x${flags.grid.rows} town, blocks of ${flags.block} m, seed ${flags.seed}`);
    });
}
