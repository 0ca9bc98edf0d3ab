/**
 * A camera's exposure from its shutter time, ISO speed and f-number (ISO 12232), instead of the
 * grey-card metering of `exposureScale`.
 *
 * Sensor-plane (photometric) exposure of an ideal lens focused at infinity, no vignetting:
 *   H = (π/4) · L · t / N²   (lux·s; L scene luminance in cd/m², t shutter in s, N f-number).
 * ISO 12232 saturation-based speed: an exposure H_sat = 78 / S saturates the output, and a
 * mid grey receives H = 10 / S (18 % grey half a stop under 100 % / √2 headroom: 10/78 ≈ 0.18/√2).
 * The signal is therefore s = H / H_sat ∈ [0, 1] (1 = white, clipped), and it enters the tone
 * curve scaled so that the ISO mid grey lands where the metered grey card does (MID_GREY): a
 * manual exposure set as a light meter would set it gives the same image as auto-exposure,
 * except that highlights past saturation clip instead of rolling off.
 */
import { MID_GREY } from './ToneMapping.js';

export interface ExposureSettings {
  /** Shutter (integration) time (s). */
  shutter: number;
  /** ISO speed S (saturation based). */
  iso: number;
  fNumber: number;
}

/** ISO 12232 constants: H_sat = 78 / S, H_mid-grey = 10 / S (lux·s). */
export const ISO_SATURATION = 78;
export const ISO_MID_GREY = 10;
/** Scene values are in kcd/m² (the sky's unit); the equations take cd/m². */
const KCD = 1000;
/** The signal s (fraction of saturation) to the tone curve's input: ISO mid grey to MID_GREY. */
export const SATURATION_TO_CURVE = (MID_GREY * ISO_SATURATION) / ISO_MID_GREY;

/** Sensor-plane exposure (lux·s) per scene value (kcd/m²). */
export function exposurePerRadiance(e: { shutter: number; fNumber: number }): number {
  return ((Math.PI / 4) * KCD * e.shutter) / (e.fNumber * e.fNumber);
}

/** Signal s (fraction of saturation) per scene value (kcd/m²): H / H_sat. */
export function signalPerRadiance(e: ExposureSettings): number {
  return (exposurePerRadiance(e) * e.iso) / ISO_SATURATION;
}

/**
 * The shutter time a reflected-light meter picks: a horizontal 18 % grey card under the
 * illuminance (klx) receives the ISO mid-grey exposure, shifted by `bias` EV.
 */
export function meteredShutter(illuminance: number, iso: number, fNumber: number, bias: number): number {
  const grey = (0.18 * Math.max(illuminance, 1e-6)) / Math.PI; // kcd/m²
  return ((ISO_MID_GREY / iso) * Math.pow(2, bias)) / exposurePerRadiance({ shutter: 1, fNumber }) / grey;
}
