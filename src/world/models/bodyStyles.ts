/**
 * The shapes of the vehicle body styles: each a side profile (the roof and bonnet line from
 * the rear to the front, as fractions of length and height) that VehicleBody lofts across the
 * width, the glass areas along it, and where the axles sit. Overhangs follow the styles' usual
 * proportions (a saloon's wheelbase about 0.6 of its length, a city bus's about 0.5).
 */
export interface BodyShape {
  /** Roof/bonnet line, rear (x = 0) to front (x = 1), height as a share of the body height. */
  profile: [number, number][];
  /** Bottom of the body above the ground (m). */
  clearance: number;
  /** Height of the window sill as a share of the height. */
  belt: number;
  /** Along the length (shares), where the side windows, the windscreen and the rear window are. */
  sideWindows: [number, number];
  windscreen: [number, number];
  rearWindow: [number, number];
  /** How far the glasshouse leans in toward the roof (m). */
  tumblehome: number;
  /** Plan-view corner radius at the ends (m). */
  cornerRadius: number;
  /** Axle positions as shares of the length from the rear. */
  axles: number[];
  /** Tyre width (m). */
  tyreWidth: number;
  /** How far each mirror stands out of the body side (m); the box width includes them. */
  mirror: number;
}

export const BODY_SHAPES: Record<string, BodyShape> = {
  sedan: {
    profile: [[0, 0.45], [0.015, 0.66], [0.19, 0.7], [0.31, 0.96], [0.36, 1], [0.56, 1], [0.62, 0.96], [0.73, 0.67], [0.95, 0.6], [1, 0.44]],
    clearance: 0.14, belt: 0.66, sideWindows: [0.27, 0.68], windscreen: [0.62, 0.73], rearWindow: [0.19, 0.32], tumblehome: 0.12, cornerRadius: 0.35,
    axles: [0.2, 0.81], tyreWidth: 0.22, mirror: 0.09,
  },
  hatchback: {
    profile: [[0, 0.45], [0.012, 0.68], [0.06, 0.9], [0.13, 0.99], [0.2, 1], [0.52, 1], [0.6, 0.95], [0.71, 0.66], [0.95, 0.58], [1, 0.43]],
    clearance: 0.14, belt: 0.64, sideWindows: [0.1, 0.67], windscreen: [0.6, 0.71], rearWindow: [0.01, 0.13], tumblehome: 0.11, cornerRadius: 0.35,
    axles: [0.16, 0.8], tyreWidth: 0.2, mirror: 0.09,
  },
  suv: {
    profile: [[0, 0.46], [0.01, 0.7], [0.05, 0.96], [0.09, 1], [0.6, 1], [0.67, 0.96], [0.77, 0.69], [0.96, 0.64], [1, 0.46]],
    clearance: 0.2, belt: 0.64, sideWindows: [0.07, 0.73], windscreen: [0.67, 0.77], rearWindow: [0.01, 0.06], tumblehome: 0.1, cornerRadius: 0.3,
    axles: [0.2, 0.81], tyreWidth: 0.24, mirror: 0.1,
  },
  pickup: {
    profile: [[0, 0.52], [0.01, 0.6], [0.39, 0.6], [0.405, 0.97], [0.42, 1], [0.61, 1], [0.66, 0.96], [0.74, 0.66], [0.96, 0.62], [1, 0.46]],
    clearance: 0.24, belt: 0.62, sideWindows: [0.42, 0.7], windscreen: [0.66, 0.74], rearWindow: [0.39, 0.41], tumblehome: 0.1, cornerRadius: 0.25,
    axles: [0.24, 0.83], tyreWidth: 0.26, mirror: 0.1,
  },
  small_van: {
    profile: [[0, 0.45], [0.008, 0.96], [0.03, 1], [0.64, 1], [0.72, 0.93], [0.8, 0.62], [0.96, 0.56], [1, 0.42]],
    clearance: 0.16, belt: 0.58, sideWindows: [0.05, 0.75], windscreen: [0.72, 0.8], rearWindow: [0.0, 0.03], tumblehome: 0.08, cornerRadius: 0.25,
    axles: [0.17, 0.8], tyreWidth: 0.21, mirror: 0.1,
  },
  van: {
    profile: [[0, 0.3], [0.006, 0.98], [0.02, 1], [0.78, 1], [0.84, 0.88], [0.9, 0.55], [0.97, 0.49], [1, 0.35]],
    clearance: 0.18, belt: 0.5, sideWindows: [0.76, 0.88], windscreen: [0.78, 0.9], rearWindow: [0.0, 0.02], tumblehome: 0.06, cornerRadius: 0.18,
    axles: [0.2, 0.82], tyreWidth: 0.23, mirror: 0.14,
  },
  bus: {
    profile: [[0, 0.12], [0.004, 0.97], [0.015, 1], [0.985, 1], [0.995, 0.95], [1, 0.1]],
    clearance: 0.3, belt: 0.36, sideWindows: [0.04, 0.97], windscreen: [0.985, 1.0], rearWindow: [0.0, 0.01], tumblehome: 0.03, cornerRadius: 0.15,
    axles: [0.28, 0.78], tyreWidth: 0.3, mirror: 0.2,
  },
  /** The tractor's cab alone (its length is the cab's); the trailer is built beside it. */
  truck_cab: {
    profile: [[0, 0.3], [0.02, 0.98], [0.05, 1], [0.9, 1], [0.96, 0.95], [1, 0.6]],
    clearance: 0.5, belt: 0.58, sideWindows: [0.55, 0.95], windscreen: [0.96, 1.0], rearWindow: [0, 0], tumblehome: 0.05, cornerRadius: 0.12,
    axles: [], tyreWidth: 0.32, mirror: 0.22,
  },
};

/** The tractor-semitrailer's layout (m): cab length, the gap behind it, the trailer's floor. */
export const TRUCK_LAYOUT = { cabLength: 2.3, trailerGap: 0.35, trailerFloor: 1.2, frontAxleFromFront: 1.4, driveAxleFromFront: 5.0, trailerAxlesFromRear: [1.4, 2.71, 4.02] };
