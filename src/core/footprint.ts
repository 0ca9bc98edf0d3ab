/** A rectangle on the ground: centre, half length and half width, heading (rad from +x). */
export interface Footprint {
  x: number;
  y: number;
  half: [number, number];
  heading: number;
}

/**
 * How deep two rectangles overlap: the least overlap of their projections over the four edge
 * directions (the separating axis test); 0 or less when they are apart.
 */
export function footprintOverlap(a: Footprint, b: Footprint): number {
  const axes = [a.heading, a.heading + Math.PI / 2, b.heading, b.heading + Math.PI / 2];
  const dx = b.x - a.x, dy = b.y - a.y;
  let least = Infinity;
  for (const angle of axes) {
    const ux = Math.cos(angle), uy = Math.sin(angle);
    const reach = (f: Footprint): number => {
      const c = Math.cos(f.heading), s = Math.sin(f.heading);
      return f.half[0] * Math.abs(c * ux + s * uy) + f.half[1] * Math.abs(-s * ux + c * uy);
    };
    least = Math.min(least, reach(a) + reach(b) - Math.abs(dx * ux + dy * uy));
    if (least <= 0) return least;
  }
  return least;
}
