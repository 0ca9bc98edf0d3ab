// A roadcast scenario in TypeScript: the ego drives east through the town behind a slower car,
// and a pedestrian walks to the next crosswalk and crosses when the ego comes within 30 m.
// Run it with `npx roadcast run scenario.ts` (or `npm start`); `npm run check` validates it.
// Every builder (at, when, act, kmh, ...) is listed with an example in roadcast's
// docs/typescript-scenarios.md.
import { act, at, kmh, scenario, when } from 'roadcast';

export default scenario(
  {
    // Parameters: `--param egoSpeed=12`, and what `roadcast sweep` varies.
    parameters: {
      egoSpeed: { default: 10, min: 3, max: 15, distribution: { type: 'uniform', min: 6, max: 14 } },
      triggerDistance: { default: 30, min: 5, max: 60 },
    },
  },
  (p) => ({
    name: 'pedestrian crossing',
    map: 'maps/town.xodr', // relative to this file
    rig: 'sensors/rig.yaml',
    duration: 12,
    seed: 1,
    buildings: 24,
    actors: [
      { id: 'ego', kind: 'car', ego: true, position: at.lane('6', -1, 2), speed: Number(p.egoSpeed), controllers: [{ type: 'idm', desiredSpeed: Number(p.egoSpeed), minGap: 2 }] },
      { id: 'lead', kind: 'car', position: at.lane('6', -1, 22), speed: kmh(25), controllers: [{ type: 'idm', desiredSpeed: kmh(25) }] },
      { id: 'walker', kind: 'pedestrian', position: at.lane('6', -2, 44), controllers: [{ type: 'pedestrian', mode: 'crosswalk', speed: 1.4, start: 'onAction' }] },
    ],
    storyboard: {
      events: [
        { name: 'cross', trigger: when.distance('ego', 'walker', 'lessThan', Number(p.triggerDistance), { distanceType: 'longitudinal', freespace: true }), actions: [act.startWalking('walker', 1.4, 'crosswalk')] },
        { name: 'hit', trigger: when.collision('ego'), actions: [act.fail('the ego collided')] },
        { name: 'done', trigger: when.time(11.5), actions: [act.succeed('no collision')] },
      ],
    },
  }),
);
