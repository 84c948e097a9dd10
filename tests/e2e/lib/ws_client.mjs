// A thin wrapper around the `ws` package's client for tests: every message is recorded in
// arrival order, and waits have deadlines instead of sleeps.

import WebSocket from 'ws';

import { Waiters } from './waiters.mjs';

const WAIT_MS = 10_000;

export class WsClient {
  /** Opens a connection; resolves once it is open, rejects when the handshake fails. */
  static open(url, options = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: WAIT_MS, ...options });
      const client = new WsClient(ws);
      const fail = (error) => reject(error);
      ws.once('unexpected-response', (request, response) => {
        ws.off('error', fail);
        reject(new Error(`handshake answered ${response.statusCode}`));
        request.destroy();
      });
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        resolve(client);
      });
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.messages = []; // {data: string | Buffer, binary}
    this.cursor = 0;
    this.pongs = [];
    this.errors = [];
    this.closeEvent = null;
    this.waiters = new Waiters();
    ws.on('upgrade', (response) => {
      this.socket = response.socket;
      this.headers = response.headers; // the 101 answer's, lower-case names
    });
    ws.on('message', (data, binary) => {
      this.messages.push({ data: binary ? Buffer.from(data) : data.toString('utf8'), binary });
      this.waiters.wake();
    });
    ws.on('pong', (data) => {
      this.pongs.push(Buffer.from(data));
      this.waiters.wake();
    });
    ws.on('error', (error) => {
      this.errors.push(error);
      this.waiters.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeEvent = { code, reason: reason.toString('utf8') };
        this.waiters.wake();
        resolve(this.closeEvent);
      });
    });
  }

  waitFor(check, what, timeoutMs = WAIT_MS) {
    return this.waiters.until(() => {
      const value = check();
      if (value !== undefined || !this.closeEvent) return value;
      throw new Error(`closed (${this.closeEvent.code} ${this.closeEvent.reason}) while waiting for ` +
        `${what}; received ${JSON.stringify(this.texts())}`);
    }, timeoutMs, () => new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ` +
      `received ${JSON.stringify(this.texts())}`));
  }

  /** The next message not yet taken. */
  next(timeoutMs = WAIT_MS) {
    return this.waitFor(() => (this.cursor < this.messages.length ? this.messages[this.cursor++] : undefined),
      `message ${this.cursor + 1}`, timeoutMs);
  }

  /** The next message, which must be text; returns the string. */
  async nextText(timeoutMs = WAIT_MS) {
    const message = await this.next(timeoutMs);
    if (message.binary) throw new Error(`expected text, got ${message.data.length} binary bytes`);
    return message.data;
  }

  /** Sends and resolves once `ws` has handed the data to the socket. */
  send(data, options = {}) {
    return new Promise((resolve, reject) => {
      this.ws.send(data, options, (error) => (error ? reject(error) : resolve()));
    });
  }

  ping(data) {
    const before = this.pongs.length;
    this.ws.ping(data);
    return this.waitFor(() => (this.pongs.length > before ? this.pongs[before] : undefined), 'a pong');
  }

  /** Closes (or waits for the server to) and resolves with the close event, with a deadline. */
  close(code, reason) {
    if (code !== undefined || reason !== undefined) this.ws.close(code, reason);
    else this.ws.close();
    return this.waitFor(() => this.closeEvent ?? undefined, 'the close event');
  }

  waitForClose(timeoutMs = WAIT_MS) {
    return this.waitFor(() => this.closeEvent ?? undefined, 'the close event', timeoutMs);
  }

  texts() {
    return this.messages.map((m) => (m.binary ? `<${m.data.length} bytes>` : m.data));
  }

  terminate() {
    this.ws.terminate();
  }
}
