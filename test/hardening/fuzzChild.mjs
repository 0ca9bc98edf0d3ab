/**
 * The fuzz test's worker: loads each case the way the CLI would and reports, one line per
 * step on stdout, `start <i>` before it and then `ok <i>`, `user <i> <message as JSON>` (a
 * UserError) or `bug <i> <stack as JSON>` (anything else). The parent (fuzz.test.ts) times
 * each case and restarts this process after a hang or a crash.
 *
 * argv: a JSON file listing the cases ({ kind: 'xodr' | 'yaml' | 'xosc', file }), and the
 * index of the first case to run.
 */
import { readFileSync } from 'node:fs';

const roadcast = await import(new URL('../../dist/index.js', import.meta.url).href);
const { isUserError } = await import(new URL('../../dist/core/errors.js', import.meta.url).href);

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const first = Number(process.argv[3] ?? 0);

/** Every stage that reads or builds on a map: info, the mesh, the locator, the lane graph, the dressed world. */
function exerciseMap(file) {
  const network = roadcast.readOpenDrive(file);
  roadcast.mapInfo(network);
  const road = network.roads[0];
  const start = road.pose(0, 0);
  network.worldToRoad(start.x, start.y);
  network.laneGraph();
  roadcast.buildStaticWorld(network, roadcast.planRoadside(network, 1, { buildings: 4 })).soup();
}

for (let i = first; i < cases.length; i++) {
  const { kind, file } = cases[i];
  process.stdout.write(`start ${i}\n`);
  try {
    if (kind === 'xodr') exerciseMap(file);
    else await roadcast.loadRunInputs(file);
    process.stdout.write(`ok ${i}\n`);
  } catch (error) {
    if (isUserError(error)) process.stdout.write(`user ${i} ${JSON.stringify(error.message)}\n`);
    else process.stdout.write(`bug ${i} ${JSON.stringify(error instanceof Error ? error.stack : String(error))}\n`);
  }
}
