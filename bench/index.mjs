// `npm run bench [-- section ...] [-- --json]`: runs the named sections (all by default) on
// the built package (dist/). Each section reports its figures beside a baseline measured in
// the same run; with --json, one JSON object keyed by section.
import { benchCameraPool, printCameraPool } from './cameraPool.mjs';
import { benchGpu, printGpu } from './gpu.mjs';
import { benchIo, printIo } from './io.mjs';
import { benchRaycast, printRaycast } from './raycast.mjs';
import { benchRigsSection, printRigs } from './rigs.mjs';
import { benchRun, printRun } from './run.mjs';
import { benchSearch, printSearch } from './search.mjs';
import { benchSensors, printSensors } from './sensors.mjs';
import { benchSim, printSim } from './sim.mjs';
import { benchSweep, printSweep } from './sweep.mjs';

const SECTIONS = {
  sim: { run: benchSim, print: printSim },
  io: { run: benchIo, print: printIo },
  raycast: { run: benchRaycast, print: printRaycast },
  sensors: { run: benchSensors, print: printSensors },
  camera: { run: benchCameraPool, print: printCameraPool },
  rigs: { run: benchRigsSection, print: printRigs },
  run: { run: benchRun, print: printRun },
  // Not in the default set: some 7000 simulator runs, about five minutes on two cores.
  search: { run: benchSearch, print: printSearch, onlyByName: true },
  // Not in the default set: it needs a GPU (and refuses a software adapter unless --allow-software).
  gpu: { run: benchGpu, print: printGpu, onlyByName: true },
  // Not in the default set either: it starts a redis-server and runs 10^5 queued variants (minutes).
  sweep: { run: benchSweep, print: printSweep, onlyByName: true },
};

const args = process.argv.slice(2);
const json = args.includes('--json');
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names) {
  if (!SECTIONS[name]) {
    console.error(`roadcast bench: no section "${name}" (sections: ${Object.keys(SECTIONS).join(', ')})`);
    process.exit(1);
  }
}
const results = {};
for (const name of names.length ? names : Object.keys(SECTIONS).filter((s) => !SECTIONS[s].onlyByName)) {
  results[name] = await SECTIONS[name].run();
  if (!json) SECTIONS[name].print(results[name]);
}
if (json) console.log(JSON.stringify(names.length === 1 ? results[names[0]] : results, null, 2));
