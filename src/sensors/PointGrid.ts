/**
 * Points (x, y, z, _ rows) binned on a grid of square cells over x and y, so that the points
 * near a place are found without visiting all of them: one counting sort, then a look at the
 * few cells a query's disc covers. For counting a sweep's points in each of many boxes.
 */
export class PointGrid {
  private readonly x0: number;
  private readonly y0: number;
  private readonly nx: number;
  private readonly ny: number;
  /** Points of cell c are order[start[c]] .. order[start[c + 1] - 1]. */
  private readonly start: Uint32Array;
  private readonly order: Uint32Array;

  constructor(readonly points: Float32Array, private readonly cell: number) {
    const n = points.length / 4;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = points[i * 4], y = points[i * 4 + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    if (n === 0) x0 = y0 = x1 = y1 = 0;
    this.x0 = x0;
    this.y0 = y0;
    this.nx = Math.floor((x1 - x0) / cell) + 1;
    this.ny = Math.floor((y1 - y0) / cell) + 1;
    const cellOf = new Uint32Array(n);
    this.start = new Uint32Array(this.nx * this.ny + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cellIndex(points[i * 4], points[i * 4 + 1]);
      cellOf[i] = c;
      this.start[c + 1]++;
    }
    for (let c = 0; c < this.nx * this.ny; c++) this.start[c + 1] += this.start[c];
    const next = this.start.slice(0, -1);
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[next[cellOf[i]]++] = i;
  }

  private cellIndex(x: number, y: number): number {
    const i = Math.min(this.nx - 1, Math.floor((x - this.x0) / this.cell));
    const j = Math.min(this.ny - 1, Math.floor((y - this.y0) / this.cell));
    return j * this.nx + i;
  }

  /** Calls `visit` with the index of every point in the cells that the disc (x, y, r) touches (and maybe a few more). */
  near(x: number, y: number, r: number, visit: (index: number) => void): void {
    const i0 = Math.max(0, Math.floor((x - r - this.x0) / this.cell)), i1 = Math.min(this.nx - 1, Math.floor((x + r - this.x0) / this.cell));
    const j0 = Math.max(0, Math.floor((y - r - this.y0) / this.cell)), j1 = Math.min(this.ny - 1, Math.floor((y + r - this.y0) / this.cell));
    for (let j = j0; j <= j1; j++) {
      for (let c = j * this.nx + i0; c <= j * this.nx + i1; c++) {
        for (let k = this.start[c]; k < this.start[c + 1]; k++) visit(this.order[k]);
      }
    }
  }
}
