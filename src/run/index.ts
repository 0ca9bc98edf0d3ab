/**
 * The run room's public surface: running a scenario (the sensor pipeline over the simulation),
 * what a run is made from, sweeps, searches, replays, and pacing and control from the outside.
 */
export { runScenario, runOutcome, runTopics, startRun, type RunOptions, type RunOutcome, type RunSummary } from './runScenario.js';
export { closingMetadata, loadRunInputs, recordingOptions, DEFAULT_RIG_FILE, type RunInputs, type RunInputOptions } from './RunInputs.js';
export { sweep, planSweep, runVariant, type SweepOptions, type SweepIndex, type SweepPlan, type RunResult, type RunRequest } from './Sweep.js';
export { search, type SearchOptions, type SearchReport, type SearchRun } from './Search.js';
export { ParameterSearch, SEARCH_METHODS, type Proposal, type SearchEstimate, type SearchMethod } from './SearchMethods.js';
export { replayRecording, replayTopics, type ReplayOptions } from './Replay.js';
export { RunControl, type PacingReport } from './RunControl.js';
export { SensorPipeline } from './SensorPipeline.js';
export { RealtimeMonitor, pacingWarning, type RealtimeMonitorOptions } from './RealtimeMonitor.js';
export { queueSweep, DEFAULT_WINDOW, type QueueSweepOptions, type QueueSweepResult, type QueueProgress, type RunBrief } from './queue/QueueSweep.js';
export { runQueueWorker, DEFAULT_LEASE_S, type QueueWorkerOptions } from './queue/QueueWorker.js';
export { sweepQueueStatus, type SweepQueueStatus } from './queue/SweepQueueStatus.js';
export { parseQueueTarget, PASSWORD_VARIABLE, DEFAULT_QUEUE_NAME, type QueueTarget } from './queue/QueueTarget.js';
