import type { Command } from 'commander';
import { metres, nonNegativeInteger, writeFileAtomically } from './options.js';

const fixed = (x: number, digits = 3): string => x.toFixed(digits);

async function info(file: string, flags: { json?: boolean; roads?: boolean }): Promise<void> {
  const { mapInfo, readOpenDrive, roadSummaries } = await import('../index.js');
  const network = readOpenDrive(file);
  const summary = mapInfo(network);
  const roads = flags.roads ? roadSummaries(network) : undefined;
  if (flags.json) {
    console.log(JSON.stringify(roads ? { ...summary, road_list: roads } : summary));
    return;
  }
  const b = summary.bbox;
  console.log(file);
  if (summary.name) console.log(`  name: ${summary.name}`);
  console.log(`  roads: ${summary.roads} (${summary.connecting_roads} connecting roads in junctions)`);
  console.log(`  junctions: ${summary.junctions}`);
  console.log(`  reference line length: ${fixed(summary.length_m, 1)} m`);
  console.log(`  bbox: x ${fixed(b.minX, 1)} .. ${fixed(b.maxX, 1)}, y ${fixed(b.minY, 1)} .. ${fixed(b.maxY, 1)} m`);
  console.log(`  lane sections: ${summary.lane_sections}`);
  console.log(`  lanes by type: ${Object.entries(summary.lanes).map(([type, n]) => `${type} ${n}`).join(', ') || 'none'}`);
  if (summary.crosswalks > 0) console.log(`  crosswalks: ${summary.crosswalks}`);
  const signals = Object.entries(summary.signals).filter(([, n]) => n > 0);
  if (signals.length > 0) {
    console.log(`  signals: ${signals.map(([kind, n]) => `${kind.replace(/_/g, ' ')} ${n}`).join(', ')}`);
    console.log(`  signal controllers: ${summary.signal_controllers}, stop lines: ${summary.stop_lines}${summary.signal_references > 0 ? `, signal references: ${summary.signal_references}` : ''}`);
  }
  if (roads) {
    console.log('  roads (id, length, lanes by id and type; actors take road, lane and s):');
    for (const road of roads) {
      const where = road.junction !== undefined ? `, in junction ${road.junction}` : '';
      console.log(`    road ${road.id}${road.name ? ` "${road.name}"` : ''}: ${fixed(road.length_m, 1)} m${where}`);
      for (const section of road.sections) {
        const lanes = section.lanes.map((lane) => `${lane.id} ${lane.type}`).join(', ');
        console.log(`      s ${fixed(section.s, 1)}..${fixed(section.end, 1)}: ${lanes || 'no lanes'}`);
      }
    }
  }
  console.log(`  warnings: ${summary.warnings.length}`);
  for (const warning of summary.warnings) console.log(`    ${warning}`);
}

async function sample(file: string, flags: { road: string; step: number; json?: boolean }): Promise<void> {
  const { readOpenDrive, sampleReferenceLine } = await import('../index.js');
  const network = readOpenDrive(file);
  const rows = sampleReferenceLine(network, flags.road, flags.step);
  if (flags.json) {
    console.log(JSON.stringify({ road: flags.road, step: flags.step, samples: rows }));
    return;
  }
  console.log(['s', 'x', 'y', 'z', 'heading', 'lane centres t (id:t)'].join('\t'));
  for (const r of rows) {
    const lanes = Object.entries(r.lanes).map(([id, t]) => `${id}:${fixed(t)}`).join(' ');
    console.log([fixed(r.s), fixed(r.x), fixed(r.y), fixed(r.z), fixed(r.heading, 6), lanes].join('\t'));
  }
}

async function exportGlb(file: string, flags: { out: string; dressing?: boolean; seed: number; buildings: number }): Promise<void> {
  const { buildRoadMesh, readOpenDrive, ROADCAST_VERSION, runStaticScene, writeGlb } = await import('../index.js');
  const network = readOpenDrive(file);
  const { positions, classes } = flags.dressing ? runStaticScene(network, flags.seed, { buildings: flags.buildings }) : buildRoadMesh(network).soup();
  writeFileAtomically(flags.out, writeGlb(positions, classes, `roadcast ${ROADCAST_VERSION}`));
  console.log(`Wrote ${flags.out}: ${classes.length} triangles, one mesh per semantic class (glTF y up: x, z, -y of the map)`);
}

/**
 * Adds `map info` and `map sample` under a `map` command (created if the program has none)
 * and returns the `map` command, so other map subcommands can be added to it.
 */
export function addMapCommands(program: Command): Command {
  const map = program.commands.find((c) => c.name() === 'map')
    ?? program.command('map').description('Inspect OpenDRIVE road maps.');

  map.command('info')
    .description('Roads, junctions, lanes by type, reference line length, bounding box and warnings of an OpenDRIVE map.')
    .argument('<file>', 'OpenDRIVE map (.xodr)')
    .option('--roads', 'also list every road: id, length, junction, and each lane section\'s lanes (id and type)')
    .option('--json', 'print one JSON object (with --roads: a road_list array)')
    .action(info);

  map.command('sample')
    .description('A road\'s reference line every STEP metres: s, x, y, z, heading and each lane\'s centre t.')
    .argument('<file>', 'OpenDRIVE map (.xodr)')
    .requiredOption('--road <id>', 'road id')
    .option('--step <m>', 'spacing along s (m)', metres, 1)
    .option('--json', 'print one JSON object')
    .action(sample);

  map.command('export')
    .description('Write the map\'s road mesh (lanes, kerbs, markings, crosswalks) as binary glTF, one mesh per semantic class.')
    .argument('<file>', 'OpenDRIVE map (.xodr)')
    .requiredOption('--out <file>', 'the .glb file to write')
    .option('--dressing', 'add the ground and the seeded roadside objects the sensors see')
    .option('--seed <n>', 'seed for the roadside objects', nonNegativeInteger, 1)
    .option('--buildings <n>', 'roadside buildings to place with --dressing', nonNegativeInteger, 16)
    .action(exportGlb);

  return map;
}
