// What bench/lib/report.mjs and ws_report.mjs share: reading the runs file, medians, the runs
// of one scenario by side, and the number formats of the Markdown tables.

import { readFileSync } from "node:fs";

/// Rows of a tab-separated file with a header line, as objects keyed by column name.
export function readTsv(file) {
  const [header, ...lines] = readFileSync(file, "utf8").split("\n").filter((l) => l.trim());
  const names = header.split("\t");
  return lines.map((line) => Object.fromEntries(line.split("\t").map((v, i) => [names[i], v])));
}

/// The median of the finite values; NaN when there are none.
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export const count = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "—");
export const percent = (x) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : "—");
export const ratio = (x) => (Number.isFinite(x) ? x.toFixed(2) : "—");
/// Milliseconds, two decimals below 10.
export const ms = (x) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : "—");

/// The runs of one scenario (judged rows with `side`, `pair` and `problems`), with what the
/// tables are made of: a side's runs, the median of a figure marked ⚠ when a run had a problem,
/// and the median over pairs of one side's figure over another's.
export function scenarioRuns(rows, scenario) {
  const runs = rows.filter((r) => r.scenario === scenario);
  const side = (name) => runs.filter((r) => r.side === name);
  const med = (name, key) => median(side(name).map((r) => r[key]));
  const flag = (name) => (side(name).some((r) => r.problems.length) ? " ⚠" : "");
  const cell = (name, key, format) => (side(name).length ? format(med(name, key)) + flag(name) : "—");
  const pairRatio = (above, below, key) => {
    const ratios = [];
    for (const b of side(below)) {
      const a = side(above).find((r) => r.pair === b.pair);
      if (a && b[key] > 0 && Number.isFinite(a[key])) ratios.push(a[key] / b[key]);
    }
    return median(ratios);
  };
  return { runs, side, med, cell, pairRatio };
}
