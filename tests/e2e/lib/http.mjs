// Clients other than fetch: curl (a separate, widely used HTTP implementation) and raw sockets
// with a small strict response reader, for what fetch hides: framing, chunk boundaries, order of
// pipelined answers, unnormalised paths, connection reuse.

import { execFile } from 'node:child_process';
import net from 'node:net';

import { Waiters } from './waiters.mjs';

const CLIENT_TIMEOUT_MS = 10_000;

/** Headers as a Map of lower-case name -> array of values, in arrival order. */
function parseHeaderLines(lines) {
  const headers = new Map();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!headers.has(name)) headers.set(name, []);
    headers.get(name).push(value);
  }
  return headers;
}

/** The single value of header `name`, or undefined; fails when it was sent more than once. */
export function header(response, name) {
  const values = response.headers.get(name.toLowerCase());
  if (!values) return undefined;
  if (values.length !== 1) throw new Error(`header ${name} sent ${values.length} times: ${values}`);
  return values[0];
}

/**
 * `curl -si <args>`: status, headers and body of the final response curl printed (1xx interim
 * answers such as 100 Continue are skipped, and so are redirect hops when -L follows them).
 */
export function curl(args) {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-si', '--max-time', '10', ...args],
      { encoding: 'latin1', maxBuffer: 16 * 1024 * 1024, timeout: CLIENT_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`curl ${args.join(' ')} failed: ${error.message}\n${stderr}`));
          return;
        }
        const following = args.includes('-L') || args.includes('--location');
        let rest = Buffer.from(stdout, 'latin1');
        for (;;) {
          const parsed = parseHead(rest);
          if (!parsed) {
            reject(new Error(`curl printed no complete response head:\n${stdout}`));
            return;
          }
          rest = rest.subarray(parsed.headBytes);
          if (parsed.status < 200) continue;
          if (following && parsed.status >= 300 && parsed.status < 400 && parsed.headers.has('location')) {
            // curl printed this hop too; its body (if any) precedes the next hop's head.
            rest = rest.subarray(Number(parsed.headers.get('content-length')?.[0] ?? 0));
            continue;
          }
          resolve({ ...parsed, body: rest.toString('utf8') });
          return;
        }
      });
  });
}

/** Parses a status line and header section at the start of `buffer`, or returns null. */
function parseHead(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/(1\.[01]) (\d{3}) (.*)$/.exec(statusLine);
  if (!match) throw new Error(`malformed status line ${JSON.stringify(statusLine)}`);
  return {
    version: match[1],
    status: Number(match[2]),
    reason: match[3],
    headers: parseHeaderLines(lines),
    headBytes: end + 4,
  };
}

/**
 * Reads one complete response from the start of `buffer`. Returns null when more bytes are
 * needed, else {response, consumed}. `response.chunks` lists the chunk payloads of a chunked
 * body, so tests can check the boundaries the server chose. `bodyless` is for answers to HEAD.
 * A body framed by neither length nor chunks runs to the end of the connection (`ended`).
 */
export function readResponse(buffer, { bodyless = false, ended = false } = {}) {
  const head = parseHead(buffer);
  if (!head) return null;
  const { headBytes, ...response } = head;
  const length = response.headers.get('content-length');
  const encoding = response.headers.get('transfer-encoding');
  const noBody = bodyless || response.status === 204 || response.status === 304 ||
    (response.status >= 100 && response.status < 200);
  if (noBody) return { response: { ...response, body: '' }, consumed: headBytes };
  if (encoding) {
    if (length) throw new Error('response has both Content-Length and Transfer-Encoding');
    if (encoding.join(',').toLowerCase() !== 'chunked') throw new Error(`unexpected Transfer-Encoding ${encoding}`);
    const chunks = [];
    let offset = headBytes;
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', offset);
      if (lineEnd < 0) return null;
      const sizeText = buffer.subarray(offset, lineEnd).toString('latin1');
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size line ${JSON.stringify(sizeText)}`);
      const size = parseInt(sizeText, 16);
      const dataStart = lineEnd + 2;
      if (size === 0) {
        // No trailers expected from this server: the last chunk is followed by an empty line.
        if (buffer.length < dataStart + 2) return null;
        if (buffer.subarray(dataStart, dataStart + 2).toString('latin1') !== '\r\n') {
          throw new Error('last chunk not followed by CRLF');
        }
        const body = Buffer.concat(chunks).toString('utf8');
        return {
          response: { ...response, body, chunks: chunks.map((c) => c.toString('utf8')) },
          consumed: dataStart + 2,
        };
      }
      if (buffer.length < dataStart + size + 2) return null;
      chunks.push(buffer.subarray(dataStart, dataStart + size));
      if (buffer.subarray(dataStart + size, dataStart + size + 2).toString('latin1') !== '\r\n') {
        throw new Error('chunk data not followed by CRLF');
      }
      offset = dataStart + size + 2;
    }
  }
  if (length) {
    if (length.length !== 1) throw new Error(`Content-Length sent ${length.length} times`);
    const size = Number(length[0]);
    if (buffer.length < headBytes + size) return null;
    return {
      response: { ...response, body: buffer.subarray(headBytes, headBytes + size).toString('utf8') },
      consumed: headBytes + size,
    };
  }
  if (!ended) return null;
  return { response: { ...response, body: buffer.subarray(headBytes).toString('utf8') }, consumed: buffer.length };
}

/**
 * A raw TCP connection that collects what the server sends. `responses(n)` resolves with the
 * next n complete responses; `closed()` with whether the server ended the connection.
 */
export class RawConnection {
  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.ended = false;
    this.error = null;
    this.waiters = new Waiters();
    socket.on('data', (data) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.waiters.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.waiters.wake();
    });
    socket.on('error', (error) => {
      this.error = error;
      this.waiters.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiters.wake();
    });
  }

  write(data) {
    this.socket.write(data);
  }

  /** Waits until check() returns something other than undefined. */
  until(check, what, timeoutMs = CLIENT_TIMEOUT_MS) {
    return this.waiters.until(() => {
      const value = check();
      if (value !== undefined || !(this.ended || this.error)) return value;
      throw new Error(`connection ${this.error ? `failed (${this.error.message})` : 'closed'} ` +
        `while waiting for ${what}; received:\n${this.buffer.toString('latin1')}`);
    }, timeoutMs, () => new Error(`timed out waiting for ${what}; ` +
      `received:\n${this.buffer.toString('latin1')}`));
  }

  /** The next `count` responses; `bodyless[i]` marks answers to HEAD. */
  async responses(count, { bodyless = [] } = {}) {
    const result = [];
    await this.until(() => {
      for (;;) {
        if (result.length === count) return result;
        const read = readResponse(this.buffer, { bodyless: bodyless[result.length] ?? false, ended: this.ended });
        if (!read) return undefined;
        result.push(read.response);
        this.buffer = this.buffer.subarray(read.consumed);
      }
    }, `${count} response(s)`);
    return result;
  }

  async response(options = {}) {
    const [response] = await this.responses(1, { bodyless: [options.bodyless ?? false] });
    return response;
  }

  /** Resolves once the server has closed the connection, with whatever bytes were left over. */
  closed(timeoutMs = CLIENT_TIMEOUT_MS) {
    return this.waiters.until(() => (this.ended ? this.buffer.toString('latin1') : undefined),
      timeoutMs, () => new Error('the server did not close the connection'));
  }

  destroy() {
    this.socket.destroy();
  }
}

/** Sends `data` on a fresh connection and returns the next `count` responses. */
export async function rawExchange(port, data, count = 1, options = {}) {
  const connection = await RawConnection.open(port);
  try {
    connection.write(data);
    return await connection.responses(count, options);
  } finally {
    connection.destroy();
  }
}

/** A GET request as bytes, with Host. */
export function get(path, extra = '') {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;
}

/**
 * Parses a text/event-stream body per the HTML standard's rules: lines end in CRLF, LF or CR;
 * `:` starts a comment; a blank line dispatches; one leading space after the colon is dropped;
 * several data lines join with LF. Returns [{event, id, data, retry}] in order.
 */
export function parseEventStream(text) {
  const events = [];
  let event = { event: 'message', data: [], id: undefined, retry: undefined };
  let lastId;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (event.data.length) {
        events.push({ event: event.event, id: lastId, data: event.data.join('\n'), retry: event.retry });
      }
      event = { event: 'message', data: [], id: undefined, retry: undefined };
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event.event = value;
    else if (field === 'data') event.data.push(value);
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) event.retry = Number(value);
  }
  return events;
}
