// Turns bench/run_ws's measurements into Markdown tables.
//   node ws_report.mjs RUNS_TSV
// RUNS_TSV columns: mode scenario side pair rate count cpu_s sys_s p99_us rss_per_conn errors
// failures loss exit check. One section per mode ("per-core", "all-cores"), scenarios in file
// order. Figures are medians over the pairs; ratios are the medians of the per-pair ratios
// ours/peer. A run with a wrong answer (a verification failure reported by ws_load, the server
// dying, no report) counts as zero; errors (refused or dropped connections) are flagged only.

import { count, ms, percent, ratio, readTsv, scenarioRuns } from "./tables.mjs";

const [runsFile] = process.argv.slice(2);
if (!runsFile) {
  console.error("usage: node ws_report.mjs RUNS_TSV");
  process.exit(2);
}

// ws_load reports microseconds; 0 means no latency was measured.
const usAsMs = (us) => (Number.isFinite(us) && us > 0 ? ms(us / 1000) : "—");

// What each scenario measures. `memory`: the figure is RSS bytes per connection, lower is
// better, and there is no CPU figure.
const SCENARIOS = {
  W1: { figure: "messages/s", what: "echo, 100 clients, 16-byte text, 8 in flight each" },
  W2: { figure: "deliveries/s", what: "fan-out, 1 publisher to 1,000 subscribers, 16 bytes" },
  W3: { figure: "RSS bytes/conn", what: "10,000 idle connections", memory: true },
  W4: { figure: "upgrades/s", what: "connect + handshake + close storm" },
};

// Targets for this project against the peer (per core). W4's 2x is judged on efficiency, as
// BENCHMARKS.md advises: one core of ws_load cannot open connections twice as fast as a peer
// that keeps up with it, so the upgrades per second of both meet at the load's own limit.
const TARGETS = {
  W1: { efficiency: 1.3, throughput: 1.0 },
  W2: { efficiency: 1.3, throughput: 1.0 },
  W3: { maxBytes: 400 },
  W4: { efficiency: 2.0, throughput: 1.0 },
};

function judge(row) {
  const problems = [];
  let wrong = false;
  const failures = Number(row.failures);
  const errors = Number(row.errors);
  const memory = SCENARIOS[row.scenario]?.memory;
  if (row.check !== "ok") { problems.push(row.check); wrong = true; }
  if (failures > 0) {
    problems.push(`${failures} verification failure(s)`);
    wrong = true;
  }
  if (!memory && !(Number(row.count) > 0)) { problems.push("nothing counted"); wrong = true; }
  if (errors > 0) problems.push(`${errors} error(s)`);
  const cpu = Number(row.cpu_s);
  return {
    ...row,
    problems,
    wrong,
    figure: memory ? (wrong ? NaN : Number(row.rss_per_conn)) : wrong ? 0 : Number(row.rate),
    efficiency: memory || wrong ? (memory ? NaN : 0) : cpu > 0 ? Number(row.count) / cpu : NaN,
    kernelShare: !memory && cpu > 0 ? Number(row.sys_s) / cpu : NaN,
    p99: Number(row.p99_us),
  };
}

function section(mode, rows) {
  const out = [];
  const notes = [];
  const verdicts = [];
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  out.push("| scenario | figure | peer | ours | ours/peer | peer per CPU-s | ours per CPU-s | " +
           "ours/peer | peer p99 | ours p99 | kernel share peer / ours |");
  out.push("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
  for (const scenario of scenarios) {
    const info = SCENARIOS[scenario];
    const { runs, side, med, cell, pairRatio } = scenarioRuns(rows, scenario);
    const thr = pairRatio("ours", "peer", "figure");
    const eff = info.memory ? NaN : pairRatio("ours", "peer", "efficiency");
    out.push(`| ${scenario} | ${info.figure}${info.memory ? " (lower is better)" : ""} | ` +
             `${cell("peer", "figure", count)} | ${cell("ours", "figure", count)} | ${ratio(thr)} | ` +
             `${info.memory ? "—" : cell("peer", "efficiency", count)} | ` +
             `${info.memory ? "—" : cell("ours", "efficiency", count)} | ${ratio(eff)} | ` +
             `${info.memory ? "—" : cell("peer", "p99", usAsMs)} | ` +
             `${info.memory ? "—" : cell("ours", "p99", usAsMs)} | ` +
             `${info.memory ? "—" : `${cell("peer", "kernelShare", percent)} / ` +
                                    `${cell("ours", "kernelShare", percent)}`} |`);
    for (const r of runs) {
      if (r.problems.length) {
        notes.push(`- ⚠ ${scenario} ${r.side} pair ${r.pair}: ${r.problems.join("; ")}` +
                   (r.wrong ? " (counted as zero)" : ""));
      }
    }
    const target = TARGETS[scenario];
    if (mode === "per-core" && target && side("ours").length && side("peer").length) {
      const checks = [];
      if (target.efficiency) {
        checks.push([`efficiency ${ratio(eff)}× ≥ ${target.efficiency}×`, eff >= target.efficiency]);
      }
      if (target.throughput) {
        checks.push([`throughput ${ratio(thr)}× ≥ ${target.throughput}×`, thr >= target.throughput]);
      }
      if (target.maxBytes) {
        const bytes = med("ours", "figure");
        checks.push([`${count(bytes)} bytes per connection ≤ ${target.maxBytes}`,
                     bytes <= target.maxBytes]);
      }
      const ok = checks.every(([, pass]) => pass);
      verdicts.push(`- ${scenario} ${ok ? "✓ met" : "✗ missed"}: ` +
                    checks.map(([text, pass]) => `${text} ${pass ? "✓" : "✗"}`).join(", "));
    }
  }
  const pairs = Math.max(...rows.map((r) => Number(r.pair)));
  const title = mode === "per-core"
    ? "Per core: server on CPU 0 (ours THREADS=1), ws_load on CPU 1"
    : "All cores: servers unpinned (ours THREADS=0, every CPU), ws_load on CPU 1";
  const runsTable = [
    "| scenario | side | pair | figure | count | server CPU s | kernel | per CPU-s | p99 | errors " +
      "| exit |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...rows.map((r) => `| ${r.scenario} | ${r.side} | ${r.pair} | ${count(r.figure)} | ` +
                       `${count(Number(r.count))} | ${Number(r.cpu_s).toFixed(2)} | ` +
                       `${percent(r.kernelShare)} | ${count(r.efficiency)} | ${usAsMs(r.p99)} | ` +
                       `${r.errors} | ${r.exit} |`),
  ];
  const scenarioList = scenarios.map((s) => `${s} ${SCENARIOS[s].what}`).join("; ");
  return [`### ${title}`, "", `Medians of ${pairs} pair(s); ours/peer = median of the per-pair ` +
          `ratios (above 1 is better, except for memory). ${scenarioList}. Kernel share: the ` +
          "server's system time over its CPU time (the kernel's TCP work for it included).", "",
          ...out, "", ...(verdicts.length ? ["Targets:", "", ...verdicts, ""] : []),
          ...notes, ...(notes.length ? [""] : []),
          "<details><summary>every run</summary>", "", ...runsTable, "", "</details>", ""]
    .join("\n");
}

const runs = readTsv(runsFile).map(judge);
const modes = [...new Set(runs.map((r) => r.mode))];
process.stdout.write(modes.map((mode) => section(mode, runs.filter((r) => r.mode === mode)))
  .join("\n"));
