// Runs one example program as a user would: its binary from BUILD_DIR, started in the example's
// own folder (so file("hello.txt") and ./public resolve), PORT and THREADS from the environment.
// Readiness is a TCP connect polled against a deadline; stop() sends SIGTERM and requires a clean
// exit with code 0, which is the graceful-shutdown test every file gets for free.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';

import { Waiters } from './waiters.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const e2eDir = path.resolve(here, '..');
export const repoDir = path.resolve(e2eDir, '../..');
export const buildDir = path.resolve(e2eDir, process.env.BUILD_DIR ?? '../../build/release');

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 20;
const START_ATTEMPTS = 5;

// Children still running when the test process ends are killed, so a failed run leaves nothing.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function exampleDir(name) {
  return path.join(repoDir, 'examples', name);
}

/** A port that was free a moment ago: bind port 0, read it, release it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(500, () => done(false));
  });
}

class ExampleServer {
  constructor(name, child, port) {
    this.name = name;
    this.child = child;
    this.port = port;
    this.origin = `http://127.0.0.1:${port}`;
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // {code, signal} once the process has ended and its pipes are drained
    this.waiters = new Waiters();
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        running.delete(child);
        this.waiters.wake();
        resolve(this.exit);
      });
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      this.stdout += text;
      this.waiters.wake();
    });
    child.stderr.on('data', (text) => {
      this.stderr += text;
      this.waiters.wake();
    });
  }

  url(pathname) {
    return this.origin + pathname;
  }

  /** Both streams, for failure messages. */
  output() {
    return `--- ${this.name} stdout ---\n${this.stdout}--- ${this.name} stderr ---\n${this.stderr}`;
  }

  /** stdout lines, complete ones only. */
  lines() {
    const lines = this.stdout.split('\n');
    lines.pop(); // the unfinished tail (empty when stdout ends with a newline)
    return lines;
  }

  /** Resolves with the first stdout line matching `pattern`, or rejects at the deadline. */
  waitForLine(pattern, timeoutMs = 5_000) {
    return this.waitFor(() => this.lines().find((line) => pattern.test(line)), timeoutMs,
      `a stdout line matching ${pattern}`);
  }

  waitFor(check, timeoutMs, what) {
    return this.waiters.until(() => {
      const value = check();
      if (value !== undefined || !this.exit) return value;
      throw new Error(`${this.name} exited while waiting for ${what}\n${this.output()}`);
    }, timeoutMs, () => new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.output()}`));
  }

  async waitUntilReady() {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exit) return false;
      if (await canConnect(this.port)) return true;
      await delay(POLL_MS);
    }
    throw new Error(`${this.name} did not accept connections on port ${this.port} within ` +
      `${READY_TIMEOUT_MS} ms\n${this.output()}`);
  }

  /**
   * SIGTERM, then the process must exit by itself with code 0 before the deadline. SIGKILL is
   * only the fallback that keeps the machine clean; the test fails either way. Safe to call twice.
   */
  async stop(timeoutMs = STOP_TIMEOUT_MS) {
    if (!this.stopping) this.stopping = this.stopOnce(timeoutMs);
    return this.stopping;
  }

  async stopOnce(timeoutMs) {
    if (!this.exit) this.child.kill('SIGTERM');
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms of SIGTERM (killed)\n${this.output()}`);
    }
    const { code, signal } = this.exit;
    if (code !== 0 || signal !== null) {
      throw new Error(`${this.name} exited with code ${code}, signal ${signal} after SIGTERM, ` +
        `expected code 0\n${this.output()}`);
    }
    return this.exit;
  }
}

/**
 * Starts examples/<name> on a free port and resolves once it accepts connections. When the port
 * was taken in between (the program says so and exits), it tries again on another one. `cwd`
 * serves other programs of the build (bench/ servers) that need no example folder.
 */
export async function startExample(name, { threads = 2, env = {}, cwd = exampleDir(name) } = {}) {
  const binary = path.join(buildDir, name);
  if (!existsSync(binary)) {
    throw new Error(`${binary} does not exist: build it first (cmake --build --preset release ` +
      `--target ${name}) or point BUILD_DIR at the build folder`);
  }
  let lastFailure = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; ++attempt) {
    const port = await freePort();
    const child = spawn(binary, [], {
      cwd,
      env: { ...process.env, PORT: String(port), THREADS: String(threads), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    const server = new ExampleServer(name, child, port);
    child.once('error', (error) => {
      server.stderr += `spawn error: ${error.message}\n`;
    });
    if (await server.waitUntilReady()) return server;
    await server.exited;
    lastFailure = server.output();
    if (!/already in use|EADDRINUSE/i.test(server.stderr)) break;
  }
  throw new Error(`${name} did not start\n${lastFailure}`);
}
