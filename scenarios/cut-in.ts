// The cut-in scenario written in TypeScript: the same Scenario as cut-in.yaml, with typed
// builders. Run it with `roadcast run scenarios/cut-in.ts`; roadcast loads TypeScript itself.
import { act, at, scenario, sinusoidal, when } from 'roadcast';

export default scenario(
  {
    parameters: {
      egoSpeed: { default: 25, min: 10, max: 35, distribution: { type: 'uniform', min: 20, max: 30 } },
      cutInHeadway: { default: 0.6, min: 0.2, max: 2 },
    },
  },
  (p) => {
    const egoSpeed = Number(p.egoSpeed);
    return {
      name: 'cut-in (TypeScript)',
      map: 'maps/highway.xodr',
      rig: '../sensors/default.yaml',
      duration: 20,
      buildings: 0,
      actors: [
        { id: 'ego', kind: 'car', ego: true, position: at.lane('1', -3, 50), speed: egoSpeed, controllers: [{ type: 'idm', desiredSpeed: egoSpeed }] },
        { id: 'cutter', kind: 'car', position: at.relative('ego', { lanes: 1, ds: -20 }), speed: egoSpeed + 5 },
      ],
      storyboard: {
        events: [
          { name: 'cutIn', trigger: when.headway('ego', 'cutter', 'greaterThan', Number(p.cutInHeadway), { edge: 'rising' }), actions: [act.laneChangeTo('cutter', 'ego', 0, sinusoidal(2.5))] },
          { name: 'slowDown', trigger: when.laneChangeDone('cutter'), actions: [act.speed('cutter', egoSpeed - 5, { shape: 'linear', dimension: 'rate', value: 2 })] },
          { name: 'crash', trigger: when.collision('ego'), actions: [act.fail('the ego hit the cutting-in car')] },
          { name: 'survived', trigger: when.time(18), actions: [act.succeed('no collision')] },
        ],
      },
    };
  },
);
