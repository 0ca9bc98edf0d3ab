import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SearchReport } from './Search.js';

/**
 * `DIR/report.html` of a search: the objective against each searched parameter (one scatter
 * chart each, failures red, the 0 line drawn), the failure region over the first two numeric
 * parameters, the estimate (or, for bo, why there is none) and the ten most critical runs. Drawn by Chart.js (MIT), whose
 * browser build is written into the page, so the file opens offline; the search's numbers are
 * in the page as JSON (`window.roadcastSearch`), the charts as `window.roadcastCharts`.
 */
export function searchReportHtml(report: SearchReport): string {
  const data = JSON.stringify(report, (_k, v) => (v === Infinity ? null : v)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>roadcast search: ${escapeHtml(report.scenario)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
.chart { border: 1px solid #ddd; padding: 8px; height: 320px; position: relative; }
table { border-collapse: collapse; margin-top: 12px; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
</style></head><body>
<h1>Search of ${escapeHtml(report.scenario)}</h1>
<p id="summary"></p>
<div class="charts" id="charts"></div>
<h2>Most critical runs</h2>
<table id="top"></table>
<script>${chartJs()}</script>
<script>
const search = ${data};
window.roadcastSearch = search;
const failed = (r) => r.objective !== null && r.objective <= 0;
const e = search.estimate;
document.getElementById('summary').textContent = search.runs.length + ' runs (' + search.method + ', seed ' + search.seed + '), objective ' + search.objective
  + ': ' + search.runs.filter(failed).length + ' at or below 0. ' + (e ? 'Failure probability under the declared distributions '
  + e.probability.toExponential(3) + ' (95 % ' + e.ci95[0].toExponential(2) + ' to ' + e.ci95[1].toExponential(2) + ', effective sample size ' + e.ess.toFixed(1) + ').'
  : 'No failure-probability estimate: ' + search.estimate_note + '.');
const numeric = Object.keys(search.runs[0]?.params ?? {}).filter((k) => search.runs.every((r) => typeof r.params[k] === 'number'));
const charts = [];
const box = (title) => {
  const div = document.createElement('div'); div.className = 'chart';
  const canvas = document.createElement('canvas'); canvas.setAttribute('aria-label', title);
  div.appendChild(canvas); document.getElementById('charts').appendChild(div);
  return canvas;
};
const points = (x, y, keep) => search.runs.filter((r) => r.objective !== null && keep(r)).map((r) => ({ x: x(r), y: y(r), id: r.id }));
const scatter = (title, xLabel, yLabel, x, y, zeroLine) => {
  const datasets = [
    { label: 'objective > 0', data: points(x, y, (r) => !failed(r)), backgroundColor: '#1f77b4' },
    { label: 'failure (objective <= 0)', data: points(x, y, failed), backgroundColor: '#d62728' },
  ];
  if (zeroLine) {
    const xs = search.runs.map(x);
    datasets.push({ type: 'line', label: 'objective = 0', data: [{ x: Math.min(...xs), y: 0 }, { x: Math.max(...xs), y: 0 }], borderColor: '#888', pointRadius: 0 });
  }
  charts.push(new Chart(box(title), { type: 'scatter', data: { datasets }, options: {
    animation: false, maintainAspectRatio: false,
    plugins: { title: { display: true, text: title } },
    scales: { x: { title: { display: true, text: xLabel } }, y: { title: { display: true, text: yLabel } } },
  } }));
};
for (const name of numeric) scatter('objective against ' + name, name, search.objective, (r) => r.params[name], (r) => r.objective, true);
if (numeric.length >= 2) scatter('failure region: ' + numeric[0] + ' and ' + numeric[1], numeric[0], numeric[1], (r) => r.params[numeric[0]], (r) => r.params[numeric[1]], false);
window.roadcastCharts = charts;
const table = document.getElementById('top');
const names = Object.keys(search.runs[0]?.params ?? {});
table.innerHTML = '<tr><th>run</th><th>objective</th>' + names.map((n) => '<th>' + n + '</th>').join('') + '<th>weight</th></tr>';
for (const r of search.top) {
  const row = document.createElement('tr');
  for (const v of [r.id, r.objective, ...names.map((n) => r.params[n]), r.weight]) {
    const cell = document.createElement('td'); cell.textContent = typeof v === 'number' ? +v.toPrecision(6) : v === null ? '-' : String(v); row.appendChild(cell);
  }
  table.appendChild(row);
}
</script></body></html>
`;
}

/** Chart.js's browser build (UMD), as installed with roadcast. */
function chartJs(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
