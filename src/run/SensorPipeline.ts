import type { Frame } from '../core/frame.js';
import type { PoolJobLike, PoolWork } from '../raycast/PoolTasks.js';
import type { MountedSensor, StepContext } from '../sensors/Rigging.js';

/** A place in the run's output: a frame, or the frame of work under way (filled when it ends). */
interface Slot {
  frame: Frame | undefined;
  pending: boolean;
}

/** A camera's image under way: its work, what it waits for, and its place in the output. */
interface UnderWay {
  sensor: MountedSensor;
  work: PoolWork<Frame | undefined>;
  waitsFor: PoolJobLike;
  slot: Slot;
}

/**
 * The sensors of a run, stepped so that independent work overlaps on the pool. A camera's
 * image is pool work (MountedSensor.work): its tiles' phases run on the workers while the
 * calling thread goes on with the other sensors of the step and with the next steps (the
 * simulation, the LiDAR's columns and echoes, the radars; their rays have a lane of their
 * own in the pool, which a worker helps between tiles), resuming the camera between sensors
 * when a phase's items are done. Several cameras' images may be under way; the pool draws one
 * phase at a time, and an image waits for it while another's phase holds it. A camera that works again first
 * finishes its image before (the calling thread joining the tiles left), so its twin world is
 * never placed while its tiles read it.
 *
 * Every frame, the sensors' and the run's own (events, signals, metrics: `emit`), leaves in
 * the order a run without a pool gives them: step by step, in rig order. A frame completed
 * after an image under way waits for it (`ready`), so a recording is the same bytes for any
 * number of threads and only the moment a frame leaves changes, by about one image.
 */
export class SensorPipeline {
  private readonly slots: Slot[] = [];
  /** In the order begun. */
  private readonly underWay: UnderWay[] = [];
  /** Steps begun while a camera's image was under way (the overlap the pool gave; diagnostics). */
  overlappedSteps = 0;
  /** The most images under way at once (diagnostics). */
  mostUnderWay = 0;

  constructor(private readonly sensors: readonly MountedSensor[]) {}

  /** Hands the step to every sensor in rig order; their frames join the output in that order. */
  step(step: StepContext): void {
    if (this.underWay.length > 0) this.overlappedSteps++;
    for (const sensor of this.sensors) {
      this.resumeWhileDone();
      if (!sensor.work || (sensor.worksIn && !sensor.worksIn(step))) {
        this.emit(sensor.advance(step));
        continue;
      }
      // Its image before, and every one begun before that, end first.
      const own = this.underWay.findIndex((u) => u.sensor === sensor);
      if (own >= 0) this.settle(own + 1);
      const work = sensor.work(step);
      const first = work.next();
      if (first.done) {
        this.emit(first.value);
        continue;
      }
      const slot: Slot = { frame: undefined, pending: true };
      this.slots.push(slot);
      this.underWay.push({ sensor, work, waitsFor: first.value, slot });
      this.mostUnderWay = Math.max(this.mostUnderWay, this.underWay.length);
    }
    this.resumeWhileDone();
  }

  /** Adds a frame to the output, after every frame before it (none: nothing). */
  emit(frame: Frame | undefined): void {
    if (frame) this.slots.push({ frame, pending: false });
  }

  /** The frames whose turn has come, in order (taken out of the pipeline). */
  ready(): Frame[] {
    const out: Frame[] = [];
    let k = 0;
    for (; k < this.slots.length && !this.slots[k].pending; k++) {
      const frame = this.slots[k].frame;
      if (frame) out.push(frame);
    }
    this.slots.splice(0, k);
    return out;
  }

  /**
   * Finishes the first `count` images under way (all by default) here and now: what is done
   * goes on, else the image whose phase holds the pool (the calling thread joins its tiles).
   */
  settle(count = this.underWay.length): void {
    const targets = this.underWay.slice(0, count);
    while (targets.some((t) => this.underWay.includes(t))) {
      let k = this.underWay.findIndex((u) => u.waitsFor.done());
      if (k < 0) k = this.underWay.findIndex((u) => !u.waitsFor.waiting);
      if (k < 0) throw new Error('sensor pipeline: every image waits for a pool that none of them holds');
      this.resume(k);
    }
  }

  /** Resumes images under way while what one waits for is done. */
  private resumeWhileDone(): void {
    for (let k = 0; k < this.underWay.length;) {
      if (this.underWay[k].waitsFor.done()) {
        this.resume(k);
        k = 0;
      } else k++;
    }
  }

  private resume(k: number): void {
    const underWay = this.underWay[k];
    let next: IteratorResult<PoolJobLike, Frame | undefined>;
    try {
      next = underWay.work.next();
    } catch (error) {
      this.underWay.splice(k, 1);
      throw error;
    }
    if (!next.done) {
      underWay.waitsFor = next.value;
      return;
    }
    underWay.slot.frame = next.value;
    underWay.slot.pending = false;
    this.underWay.splice(k, 1);
  }
}
