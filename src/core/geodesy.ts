/** WGS84, for turning the map's local east-north-up metres into latitude, longitude, altitude. */
const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const DEG = Math.PI / 180;

export interface Geodetic {
  /** Degrees. */
  latitude: number;
  longitude: number;
  /** Metres above the ellipsoid. */
  altitude: number;
}

function toEcef({ latitude, longitude, altitude }: Geodetic): [number, number, number] {
  const lat = latitude * DEG, lon = longitude * DEG;
  const n = A / Math.sqrt(1 - E2 * Math.sin(lat) ** 2);
  return [(n + altitude) * Math.cos(lat) * Math.cos(lon), (n + altitude) * Math.cos(lat) * Math.sin(lon), (n * (1 - E2) + altitude) * Math.sin(lat)];
}

/** ECEF to geodetic by fixed-point iteration on latitude (converges to 1e-12 rad in a few steps near the surface). */
function fromEcef(x: number, y: number, z: number): Geodetic {
  const lon = Math.atan2(y, x);
  const p = Math.hypot(x, y);
  let lat = Math.atan2(z, p * (1 - E2));
  let altitude = 0;
  for (let i = 0; i < 10; i++) {
    const n = A / Math.sqrt(1 - E2 * Math.sin(lat) ** 2);
    altitude = p / Math.cos(lat) - n;
    lat = Math.atan2(z, p * (1 - (E2 * n) / (n + altitude)));
  }
  return { latitude: lat / DEG, longitude: lon / DEG, altitude };
}

/** A point given in metres east, north and up of `origin` (a local tangent plane), as geodetic coordinates. */
export function enuToGeodetic(origin: Geodetic, east: number, north: number, up: number): Geodetic {
  const [x0, y0, z0] = toEcef(origin);
  const lat = origin.latitude * DEG, lon = origin.longitude * DEG;
  const sl = Math.sin(lat), cl = Math.cos(lat), so = Math.sin(lon), co = Math.cos(lon);
  const dx = -so * east - sl * co * north + cl * co * up;
  const dy = co * east - sl * so * north + cl * so * up;
  const dz = cl * north + sl * up;
  return fromEcef(x0 + dx, y0 + dy, z0 + dz);
}
