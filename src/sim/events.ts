/** Everything that happens in a run, in the order it happened, stamped with its tick. */
export type SimEvent = { tick: number; t_ns: number } & (
  | { type: 'collision'; actors: [string, string]; impulse: number; point: [number, number, number]; normal: [number, number, number]; closingSpeed: number }
  | { type: 'trigger'; element: string; elementType: string; conditions: string[] }
  | { type: 'storyboard'; element: string; elementType: string; state: 'startTransition' | 'endTransition' | 'stopTransition' | 'skipTransition' }
  | { type: 'action'; name: string; action: string; actor?: string; detail?: string }
  | { type: 'laneChangeDone'; actor: string; lane: number; reason: string }
  | { type: 'laneChangeStart'; actor: string; from: number; to: number; reason: string }
  | { type: 'spawn' | 'remove'; actor: string }
  | { type: 'redLight'; actor: string; signal: string; road: string; lane: number }
  /** Infractions (CriticalityMonitor.ts), each when it starts: off the drivable lanes, on a sidewalk, against the lane, over the limit (m/s). */
  | { type: 'offRoad' | 'wrongWay' | 'sidewalk' | 'speeding'; actor: string; road: string; lane: number; speed?: number; limit?: number }
  | { type: 'end'; outcome: 'success' | 'failure' | 'stopped'; reason: string }
);

export type SimEventType = SimEvent['type'];
