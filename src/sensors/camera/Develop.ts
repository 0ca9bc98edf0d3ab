import { SATURATION_TO_CURVE, signalPerRadiance, type ExposureSettings } from './Exposure.js';
import type { NoiseConfig, SensorNoise } from './SensorNoise.js';
import { toneMap, toneMapClipped } from './ToneMapping.js';

/**
 * How a realistic camera turns scene values into RGB8 (RealisticShader's numbers): the
 * metered exposure straight onto the tone curve; or the sensor's own settings, clipped at
 * saturation; or those with sensor noise, digitised into raw values first.
 */
export interface DevelopPlan {
  exposure: number;
  settings: ExposureSettings | undefined;
  noise: NoiseConfig | undefined;
}

/**
 * Scene values [k0, k1) (kcd/m², 3 per pixel) to RGB8 in `out.rgb`, and with noise the raw
 * digital values in `out.raw`. Each value
 * depends on its own index alone (the noise is hashed from it), so a camera's tiles develop
 * their own rows and the image is the same bytes as one pass.
 */
export function develop(
  linear: Float32Array, frame: number, plan: DevelopPlan, noise: SensorNoise | undefined,
  out: { rgb: Uint8Array; raw?: Uint16Array }, k0 = 0, k1 = linear.length,
): void {
  if (noise) noise.apply(linear, frame, out.rgb, k0, k1, out.raw);
  else if (plan.settings) toneMapClipped(linear, signalPerRadiance(plan.settings), SATURATION_TO_CURVE, out.rgb, k0, k1);
  else toneMap(linear, plan.exposure, out.rgb, k0, k1);
}
