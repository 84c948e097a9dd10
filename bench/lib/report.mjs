// Turns bench/run's measurements into Markdown tables.
//   node report.mjs RUNS_TSV [SYSCALLS_TSV]
// RUNS_TSV columns: mode scenario side pair rps requests cpu_s sys_s p99_ms non2xx sockerr
// checked bad check. One section per mode ("per-core", "all-cores"), scenarios in file order.
// Sides: peer, ours, and floor (bench/floor, beside H1 and H2), which gets a table of its own.
// Figures are medians over the pairs; ratios are the medians of the per-pair ratios ours/peer.
// A run with a wrong answer (failed curl check, a bad body or status in the verified warm-up,
// any non-2xx response) counts as zero; socket errors are flagged but keep their figures.

import { count, ms, percent, ratio, readTsv, scenarioRuns } from "./tables.mjs";

const [runsFile, syscallsFile] = process.argv.slice(2);
if (!runsFile) {
  console.error("usage: node report.mjs RUNS_TSV [SYSCALLS_TSV]");
  process.exit(2);
}


// One measured run, with its problems spelled out and wrong answers counted as zero.
function judge(row) {
  const problems = [];
  let wrong = false;
  const requests = Number(row.requests);
  const cpu = Number(row.cpu_s);
  if (row.check !== "ok") { problems.push(row.check); wrong = true; }
  if (Number(row.non2xx) > 0) { problems.push(`${row.non2xx} non-2xx responses`); wrong = true; }
  if (Number(row.bad) > 0) {
    problems.push(`${row.bad} of ${row.checked} warm-up responses wrong`);
    wrong = true;
  }
  if (!(requests > 0)) { problems.push("no requests completed"); wrong = true; }
  if (Number(row.sockerr) > 0) problems.push(`${row.sockerr} socket errors`);
  return {
    ...row,
    problems,
    wrong,
    rps: wrong ? 0 : Number(row.rps),
    efficiency: wrong ? 0 : cpu > 0 ? requests / cpu : NaN,
    kernelShare: cpu > 0 ? Number(row.sys_s) / cpu : NaN,
    p99: Number(row.p99_ms),
  };
}

function section(mode, rows) {
  const out = [];
  const notes = [];
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  out.push("| scenario | peer req/s | ours req/s | ratio | peer req/CPU-s | ours req/CPU-s | ratio " +
           "| peer p99 | ours p99 | kernel share peer / ours |");
  out.push("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
  for (const scenario of scenarios) {
    const { runs, cell, pairRatio } = scenarioRuns(rows, scenario);
    out.push(`| ${scenario} | ${cell("peer", "rps", count)} | ${cell("ours", "rps", count)} | ` +
             `${ratio(pairRatio("ours", "peer", "rps"))} | ${cell("peer", "efficiency", count)} | ` +
             `${cell("ours", "efficiency", count)} | ` +
             `${ratio(pairRatio("ours", "peer", "efficiency"))} | ` +
             `${cell("peer", "p99", ms)} | ${cell("ours", "p99", ms)} | ` +
             `${cell("peer", "kernelShare", percent)} / ${cell("ours", "kernelShare", percent)} |`);
    if (runs.every((r) => !Number.isFinite(r.p99))) {
      notes.push(`- ${scenario}: no p99, wrk's latency percentiles are broken for pipelined ` +
                 "requests (wg/wrk#236)");
    } else if (scenario === "H2") {
      notes.push("- H2: p99 per batch of 16 pipelined requests, timed by " +
                 "bench/lib/pipeline_probe.py in a run of its own beside the same load (wrk's " +
                 "percentiles are broken for pipelining, wg/wrk#236)");
    }
    for (const r of runs) {
      if (r.problems.length) {
        notes.push(`- ⚠ ${scenario} ${r.side} pair ${r.pair}: ${r.problems.join("; ")}` +
                   (r.wrong ? " (counted as zero)" : ""));
      }
    }
  }
  const pairs = Math.max(...rows.map((r) => Number(r.pair)));
  const title = mode === "per-core"
    ? "Per core: server on CPU 0 (ours THREADS=1), wrk on CPU 1"
    : "All cores: servers unpinned (ours THREADS=0, every CPU), wrk on CPU 1";
  const runsTable = [
    "| scenario | side | pair | req/s | requests | CPU s | kernel | req/CPU-s | p99 |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ...rows.map((r) => `| ${r.scenario} | ${r.side} | ${r.pair} | ${count(r.rps)} | ` +
                       `${count(Number(r.requests))} | ${Number(r.cpu_s).toFixed(2)} | ` +
                       `${percent(r.kernelShare)} | ${count(r.efficiency)} | ${ms(r.p99)} |`),
  ];
  const kernelNote = "Kernel share: the server's system time over its CPU time (the kernel's " +
                     "TCP work for it included).";
  return [`### ${title}`, "", `Medians of ${pairs} pair(s); ratio = median of ours/peer per pair.`,
          kernelNote, "", ...out, "", ...notes, ...(notes.length ? [""] : []),
          ...floorSection(rows, scenarios),
          "<details><summary>every run</summary>", "", ...runsTable, "", "</details>", ""].join("\n");
}

// Present when the floor ran: how far this machine lets any server go against the peer.
function floorSection(rows, scenarios) {
  const withFloor = scenarios.filter((s) => rows.some((r) => r.scenario === s && r.side === "floor"));
  if (!withFloor.length) return [];
  const out = [
    "The floor (bench/floor, same pins): a server that only finds the end of each request and",
    "sends the same bytes. floor / peer is the highest efficiency ratio any server of that design",
    "reaches against this peer on this machine; ours / floor is the share of it ours reaches.",
    "",
    "| scenario | floor req/CPU-s | floor kernel share | floor / peer | ours / floor |",
    "|---|--:|--:|--:|--:|",
  ];
  for (const scenario of withFloor) {
    const { cell, pairRatio } = scenarioRuns(rows, scenario);
    out.push(`| ${scenario} | ${cell("floor", "efficiency", count)} | ` +
             `${cell("floor", "kernelShare", percent)} | ` +
             `${ratio(pairRatio("floor", "peer", "efficiency"))} | ` +
             `${ratio(pairRatio("ours", "floor", "efficiency"))} |`);
  }
  return [...out, ""];
}

function syscallsSection(file) {
  const rows = readTsv(file);
  const out = [
    "### Syscalls per pipelined batch (H2 under strace, 16 requests per batch)",
    "",
    "Calls counted while wrk ran (server start-up subtracted); strace slows the server, so only",
    "the counts mean anything. Target for ours: at most 1 read and 1 write per batch. Writes",
    "include io_uring_enter, with which ours receives from every readable socket of a loop",
    "iteration at once, and sends to every socket with output at once.",
    "",
    "| server | requests | batches | reads/batch | of which EAGAIN | writes/batch |",
    "|---|--:|--:|--:|--:|--:|",
  ];
  for (const r of rows) {
    const batches = Number(r.requests) / Number(r.depth);
    const per = (x) => (batches > 0 ? (Number(x) / batches).toFixed(2) : "—");
    out.push(`| ${r.side} | ${count(Number(r.requests))} | ${count(batches)} | ${per(r.reads)} | ` +
             `${per(r.read_errors)} | ${per(r.writes)} |`);
  }
  return out.join("\n") + "\n";
}

const runs = readTsv(runsFile).map(judge);
const modes = [...new Set(runs.map((r) => r.mode))];
const parts = modes.map((mode) => section(mode, runs.filter((r) => r.mode === mode)));
if (syscallsFile) parts.push(syscallsSection(syscallsFile));
process.stdout.write(parts.join("\n"));
