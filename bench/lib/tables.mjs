// What bench/lib/report.mjs and ws_report.mjs share: reading the runs file, medians, and the
// number formats of the Markdown tables.

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
export const ratio = (x) => (Number.isFinite(x) ? x.toFixed(2) : "—");
/// Milliseconds, two decimals below 10.
export const ms = (x) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : "—");
