// tools/ws_load, the WebSocket load generator of bench/run_ws: every mode runs briefly against
// bench/ws_bench_server and must count load with no error and no failed check, and its checks
// must catch a server that answers wrongly (the chat example, which greets before it echoes).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { buildDir, repoDir, startExample } from './lib/server.mjs';

let benchServer;
let chat;

before(async () => {
  benchServer = await startExample('ws_bench_server', { threads: 1, cwd: repoDir });
  chat = await startExample('websocket_chat');
});

after(async () => {
  await benchServer?.stop();
  await chat?.stop();
});

/** Runs ws_load against `server` for one measured second; resolves {status, report}. */
function wsLoad(server, args) {
  const binary = path.join(buildDir, 'ws_load');
  const all = ['--port', String(server.port), '--server-pid', String(server.child.pid),
    '--duration', '1', '--warmup', '0', '--quiet', ...args];
  return new Promise((resolve, reject) => {
    execFile(binary, all, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      const lines = stdout.trim().split('\n');
      let report;
      try {
        report = JSON.parse(lines.at(-1));
      } catch {
        return reject(new Error(`ws_load ${all.join(' ')} printed no report\n${stdout}${stderr}`));
      }
      resolve({ status: error ? error.code : 0, report });
    });
  });
}

function assertClean({ status, report }, unit) {
  assert.equal(report.first_error, '', 'no error');
  assert.equal(report.first_failure, '', 'no failed check');
  assert.equal(status, 0);
  assert.equal(report.errors, 0);
  assert.equal(report.verification_failures, 0);
  assert.equal(report.loss, 0);
  assert.equal(report.unit, unit);
}

for (const [mode, args, unit] of [
  ['echo', ['--connections', '20', '--in-flight', '4'], 'messages'],
  ['all-to-all', ['--connections', '8'], 'deliveries'],
  ['fanout', ['--connections', '50'], 'deliveries'],
  ['storm', ['--concurrency', '16'], 'upgrades'],
]) {
  test(`${mode}: load counted, every message checked, the server's CPU time read`, async () => {
    const result = await wsLoad(benchServer, ['--mode', mode, ...args]);
    assertClean(result, unit);
    assert.ok(result.report.count > 100, `counted ${result.report.count}`);
    assert.ok(result.report.rate_per_server_cpu_s > 0, 'a rate per server CPU-second');
    const { server_cpu_s: cpu, server_system_cpu_s: system } = result.report;
    assert.ok(system >= 0 && system <= cpu, `system ${system} s within CPU ${cpu} s`);
    assert.ok(result.report.latency_p99_us > 0, 'latencies recorded');
  });
}

test('idle: every connection stays open, and the server\'s memory per connection is read',
  async () => {
    const result = await wsLoad(benchServer, ['--mode', 'idle', '--connections', '200']);
    assertClean(result, 'connections');
    assert.equal(result.report.count, 200);
    assert.ok(result.report.server_rss_per_connection_bytes > 0);
  });

test('a server that answers with other messages fails the echo check (exit status 1)',
  async () => {
    const { status, report } = await wsLoad(chat, ['--mode', 'echo', '--connections', '4']);
    assert.equal(status, 1);
    assert.ok(report.verification_failures > 0);
    assert.notEqual(report.first_failure, '');
  });
