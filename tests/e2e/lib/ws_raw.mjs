// A WebSocket client over node:net with every byte under the test's control, for conformance
// tests in the manner of the Autobahn|Testsuite. Frames are built by hand (any opcode, RSV bits,
// FIN, length encoding, mask or none) and written in one piece or in chops. What the server
// sends is parsed strictly as RFC 6455 and RFC 7692 require of a server: frames unmasked, known
// opcodes, no RSV2/RSV3, RSV1 only on the first frame of a data message and only when
// permessage-deflate was agreed, control frames whole and at most 125 bytes, lengths in their
// minimal encoding, continuations only inside a message, a valid close payload, and nothing
// after the close frame. A violation fails whatever the test is waiting for.

import crypto from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';

import { readResponse } from './http.mjs';
import { Waiters } from './waiters.mjs';

const WAIT_MS = 10_000;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export const OP = Object.freeze({
  continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa,
});
const KNOWN_OPCODES = new Set(Object.values(OP));
const isControl = (opcode) => (opcode & 0x8) !== 0;

/** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)). */
export function acceptFor(key) {
  return crypto.createHash('sha1').update(key + GUID).digest('base64');
}

export function randomKey() {
  return crypto.randomBytes(16).toString('base64');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when `bytes` is complete, valid UTF-8 (the WHATWG decoder in fatal mode). */
export function isValidUtf8(bytes) {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Buffer.from(data);
  throw new TypeError(`cannot send ${typeof data}`);
}

/**
 * One client frame as bytes. `lengthBits` forces the 7-, 16- or 64-bit length form (the server
 * must refuse a non-minimal one); `masked: false` leaves the mask out; `length` overrides the
 * length field alone (a header that announces more than follows).
 */
export function buildFrame({
  opcode, payload = Buffer.alloc(0), fin = true, rsv1 = false, rsv2 = false, rsv3 = false,
  masked = true, maskKey = crypto.randomBytes(4), lengthBits, length,
}) {
  const data = toBuffer(payload);
  const size = length ?? data.length;
  const bits = lengthBits ?? (size < 126 ? 7 : size <= 0xffff ? 16 : 64);
  const head = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | (rsv3 ? 0x10 : 0) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (bits === 7) {
    if (size > 125) throw new RangeError(`${size} does not fit a 7-bit length`);
    head.push(maskBit | size);
  } else if (bits === 16) {
    if (size > 0xffff) throw new RangeError(`${size} does not fit a 16-bit length`);
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(size);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(size));
  }
  if (!masked) return Buffer.concat([Buffer.from(head), extended, data]);
  const key = toBuffer(maskKey);
  const body = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; ++i) body[i] = data[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), extended, key, body]);
}

/** A close frame's payload: code (big-endian) and reason; `code` undefined gives an empty one. */
export function closePayload(code, reason = '') {
  if (code === undefined) return Buffer.alloc(0);
  const codeBytes = Buffer.alloc(2);
  codeBytes.writeUInt16BE(code);
  return Buffer.concat([codeBytes, toBuffer(reason)]);
}

/** RFC 7692 §7.2.1: raw DEFLATE with a sync flush, the trailing 00 00 ff ff removed. */
export function deflateMessage(data, { windowBits = 15, finish = false } = {}) {
  const input = toBuffer(data);
  if (finish) return zlib.deflateRawSync(input, { windowBits }); // ends in a final block instead
  const out = zlib.deflateRawSync(input, { windowBits, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (!out.subarray(-4).equals(TAIL)) throw new Error('a sync flush did not end in 00 00 ff ff');
  return out.subarray(0, out.length - 4);
}

/** RFC 7692 §7.2.2: appends 00 00 ff ff and inflates (each message on its own: no takeover). */
export function inflateMessage(payload) {
  return zlib.inflateRawSync(Buffer.concat([payload, TAIL]), {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    maxOutputLength: 64 * 1024 * 1024,
  });
}

/** Splits `buffer` into `count` nearly equal pieces (some may be empty when it is short). */
export function split(buffer, count) {
  const pieces = [];
  const size = Math.ceil(buffer.length / count);
  for (let i = 0; i < count; ++i) pieces.push(buffer.subarray(Math.min(i * size, buffer.length), Math.min((i + 1) * size, buffer.length)));
  return pieces;
}

/** Parses a Sec-WebSocket-Extensions value into [{name, params: Map}] (tokens only). */
export function parseExtensions(value) {
  if (!value) return [];
  return value.split(',').map((element) => {
    const [name, ...params] = element.split(';').map((part) => part.trim());
    const map = new Map();
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) map.set(param, true);
      else map.set(param.slice(0, eq).trim(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    return { name, params: map };
  });
}

function handshakeRequest({ path, host, key, extensions, headers }) {
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export class ProtocolViolation extends Error {}

/**
 * One client connection after a successful handshake. Received frames queue up in order;
 * `nextFrame`, `nextMessage` and `expectClose` take them off the queue.
 */
export class WsRawClient {
  /**
   * Connects, upgrades and checks the 101 answer (status, Upgrade, Connection, the accept key,
   * and an extension only if one was offered). `extensions` is the offer header, if any;
   * `early` bytes are written in the same write as the request.
   */
  static async connect(port, { path = '/ws', extensions, headers = {}, early } = {}) {
    const key = randomKey();
    const socket = await openSocket(port);
    const request = Buffer.from(handshakeRequest({ path, host: `127.0.0.1:${port}`, key, extensions, headers }), 'latin1');
    socket.write(early ? Buffer.concat([request, early]) : request);
    const client = new WsRawClient(socket);
    const response = await client.until(() => {
      const read = readResponse(client.input, { bodyless: true });
      if (!read) return undefined;
      client.input = client.input.subarray(read.consumed);
      return read.response;
    }, 'the handshake answer');
    client.response = response;
    const single = (name) => {
      const values = response.headers.get(name);
      if (values && values.length !== 1) throw new ProtocolViolation(`${name} sent ${values.length} times`);
      return values?.[0];
    };
    if (response.status !== 101) {
      socket.destroy();
      throw new ProtocolViolation(`expected 101, got ${response.status} ${response.reason}`);
    }
    if (single('upgrade')?.toLowerCase() !== 'websocket') throw new ProtocolViolation(`Upgrade: ${single('upgrade')}`);
    if (!/(^|,)\s*upgrade\s*(,|$)/i.test(single('connection') ?? '')) {
      throw new ProtocolViolation(`Connection: ${single('connection')}`);
    }
    if (single('sec-websocket-accept') !== acceptFor(key)) {
      throw new ProtocolViolation(`Sec-WebSocket-Accept ${single('sec-websocket-accept')} != ${acceptFor(key)}`);
    }
    if (response.headers.has('content-length') || response.headers.has('transfer-encoding')) {
      throw new ProtocolViolation('a 101 answer has no body framing');
    }
    const agreed = parseExtensions(single('sec-websocket-extensions'));
    if (agreed.length > 1 || (agreed.length === 1 && agreed[0].name !== 'permessage-deflate')) {
      throw new ProtocolViolation(`unexpected extensions ${single('sec-websocket-extensions')}`);
    }
    if (agreed.length === 1 && extensions === undefined) throw new ProtocolViolation('an extension nobody offered');
    client.deflate = agreed[0]?.params ?? null;
    client.parse();
    return client;
  }

  constructor(socket) {
    this.socket = socket;
    this.input = Buffer.alloc(0);
    this.frames = [];
    this.deflate = null;
    this.parsing = false;
    this.violation = null;
    this.inMessage = false;
    this.closeSeen = false;
    this.ended = null; // 'fin' | 'reset' | 'closed' once the TCP connection is over
    this.writeError = null;
    this.waiters = new Waiters();
    socket.setNoDelay(true);
    socket.on('data', (data) => {
      this.input = this.input.length ? Buffer.concat([this.input, data]) : data;
      if (this.parsing) this.parse();
      this.waiters.wake();
    });
    socket.on('end', () => {
      this.ended ??= 'fin';
      this.waiters.wake();
    });
    socket.on('error', (error) => {
      if (error.code === 'ECONNRESET') this.ended ??= 'reset';
      else this.writeError = error; // EPIPE after the server closed: not the test's concern
      this.waiters.wake();
    });
    socket.on('close', () => {
      this.ended ??= 'closed';
      this.waiters.wake();
    });
  }

  fail(message) {
    this.violation ??= new ProtocolViolation(message);
  }

  /** Parses every complete server frame in `input` into `frames`, strictly. */
  parse() {
    this.parsing = true;
    while (!this.violation && this.input.length >= 2) {
      const b0 = this.input[0];
      const b1 = this.input[1];
      if (this.closeSeen) {
        this.fail(`${this.input.length} bytes after the close frame`);
        return;
      }
      let offset = 2;
      let length = b1 & 0x7f;
      if (length === 126) {
        if (this.input.length < 4) return;
        length = this.input.readUInt16BE(2);
        offset = 4;
        if (length < 126) this.fail(`16-bit length ${length} is not minimal`);
      } else if (length === 127) {
        if (this.input.length < 10) return;
        const big = this.input.readBigUInt64BE(2);
        if (big > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`64-bit length ${big}`);
        length = Number(big);
        offset = 10;
        if (length <= 0xffff) this.fail(`64-bit length ${length} is not minimal`);
      }
      if (b1 & 0x80) this.fail('a server frame is masked');
      if (this.input.length < offset + length) return;
      const frame = {
        fin: (b0 & 0x80) !== 0,
        rsv1: (b0 & 0x40) !== 0,
        rsv2: (b0 & 0x20) !== 0,
        rsv3: (b0 & 0x10) !== 0,
        opcode: b0 & 0x0f,
        payload: Buffer.from(this.input.subarray(offset, offset + length)),
      };
      this.input = this.input.subarray(offset + length);
      this.check(frame);
      this.frames.push(frame);
    }
  }

  check(frame) {
    const { opcode } = frame;
    if (!KNOWN_OPCODES.has(opcode)) return this.fail(`unknown opcode ${opcode}`);
    if (frame.rsv2 || frame.rsv3) return this.fail(`RSV2/RSV3 set on opcode ${opcode}`);
    if (isControl(opcode)) {
      if (!frame.fin) return this.fail(`fragmented control frame, opcode ${opcode}`);
      if (frame.rsv1) return this.fail(`RSV1 on control frame ${opcode}`);
      if (frame.payload.length > 125) return this.fail(`control frame of ${frame.payload.length} bytes`);
      if (opcode === OP.close) {
        this.closeSeen = true;
        const { payload } = frame;
        if (payload.length === 1) return this.fail('close payload of 1 byte');
        if (payload.length >= 2) {
          frame.code = payload.readUInt16BE(0);
          frame.reason = payload.subarray(2);
          if (!isValidUtf8(frame.reason)) return this.fail('close reason is not UTF-8');
          frame.reason = frame.reason.toString('utf8');
          const code = frame.code;
          const valid = (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) ||
            (code >= 3000 && code <= 4999);
          if (!valid) return this.fail(`invalid close code ${code} from the server`);
        } else {
          frame.code = undefined;
          frame.reason = '';
        }
      }
      return undefined;
    }
    if (opcode === OP.continuation) {
      if (!this.inMessage) return this.fail('continuation outside a message');
      if (frame.rsv1) return this.fail('RSV1 on a continuation frame');
    } else {
      if (this.inMessage) return this.fail('a new data frame inside a fragmented message');
      if (frame.rsv1 && !this.deflate) return this.fail('RSV1 without permessage-deflate');
    }
    this.inMessage = !frame.fin;
    return undefined;
  }

  /** Waits until check() returns something other than undefined, or fails at the deadline. */
  until(check, what, timeoutMs = WAIT_MS) {
    return this.waiters.until(() => {
      if (this.violation) throw this.violation;
      const value = check();
      if (value !== undefined || !this.ended) return value;
      throw new Error(`connection ${this.ended} while waiting for ${what}${this.pending()}`);
    }, timeoutMs, () => new Error(`timed out after ${timeoutMs} ms waiting for ${what}${this.pending()}`));
  }

  pending() {
    const frames = this.frames.map(describeFrame).join(', ');
    return `; queued frames: [${frames}], unparsed bytes: ${this.input.length}`;
  }

  write(bytes) {
    if (!this.socket.destroyed) this.socket.write(toBuffer(bytes));
  }

  /** Writes frames (option objects or ready bytes) in a single write. */
  send(...frames) {
    this.write(Buffer.concat(frames.map((f) => (Buffer.isBuffer(f) ? f : buildFrame(f)))));
  }

  /** Writes `bytes` in pieces of `size` bytes, one write each (TCP may still join them). */
  sendChopped(bytes, size = 1) {
    const data = toBuffer(bytes);
    for (let i = 0; i < data.length; i += size) this.write(data.subarray(i, i + size));
  }

  /**
   * A whole message as frames: `fragments` frames (1 = unfragmented), compressed first when
   * `compress` (RSV1 on the first frame only).
   */
  static messageFrames(opcode, data, { compress = false, fragments = 1, windowBits = 15 } = {}) {
    const payload = compress ? deflateMessage(data, { windowBits }) : toBuffer(data);
    return split(payload, fragments).map((piece, i) => ({
      opcode: i === 0 ? opcode : OP.continuation,
      payload: piece,
      fin: i === fragments - 1,
      rsv1: compress && i === 0,
    }));
  }

  sendMessage(opcode, data, options = {}) {
    this.send(...WsRawClient.messageFrames(opcode, data, options));
  }

  sendText(text, options = {}) {
    this.sendMessage(OP.text, text, options);
  }

  sendBinary(bytes, options = {}) {
    this.sendMessage(OP.binary, bytes, options);
  }

  sendClose(code, reason = '') {
    this.send({ opcode: OP.close, payload: closePayload(code, reason) });
  }

  /** The next frame the server sent. */
  nextFrame(what = 'a frame', timeoutMs = WAIT_MS) {
    return this.until(() => (this.frames.length ? this.frames.shift() : undefined), what, timeoutMs);
  }

  /**
   * The next data message, reassembled and inflated: {type, data, compressed, frames}. A control
   * frame in between fails (the echo server sends none unasked), unless `controls` collects them.
   */
  async nextMessage({ timeoutMs = WAIT_MS, controls } = {}) {
    const parts = [];
    let first;
    for (;;) {
      const frame = await this.nextFrame('a data message', timeoutMs);
      if (isControl(frame.opcode)) {
        if (controls && frame.opcode !== OP.close) {
          controls.push(frame);
          continue;
        }
        throw new Error(`expected a data message, got ${describeFrame(frame)}`);
      }
      first ??= frame;
      parts.push(frame.payload);
      if (frame.fin) break;
    }
    const joined = Buffer.concat(parts);
    const data = first.rsv1 ? inflateMessage(joined) : joined;
    const type = first.opcode === OP.text ? 'text' : 'binary';
    if (type === 'text' && !isValidUtf8(data)) throw new ProtocolViolation('a text message from the server is not UTF-8');
    return { type, data, compressed: first.rsv1, frames: parts.length };
  }

  /**
   * The next frame must be a close with `code` (undefined: an empty close payload), then the
   * server must end the TCP connection. Returns {code, reason, ended}.
   */
  async expectClose(code, { reason, timeoutMs = WAIT_MS } = {}) {
    const frame = await this.nextFrame(`a close frame with code ${code}`, timeoutMs);
    if (frame.opcode !== OP.close) throw new Error(`expected close ${code}, got ${describeFrame(frame)}`);
    if (frame.code !== code) {
      throw new Error(`expected close code ${code}, got ${frame.code} (reason ${JSON.stringify(frame.reason)})`);
    }
    if (reason !== undefined && frame.reason !== reason) {
      throw new Error(`expected close reason ${JSON.stringify(reason)}, got ${JSON.stringify(frame.reason)}`);
    }
    const ended = await this.tcpEnd(timeoutMs);
    return { code: frame.code, reason: frame.reason, ended };
  }

  /** Resolves once the server has ended the TCP connection: 'fin', 'reset' or 'closed'. */
  tcpEnd(timeoutMs = WAIT_MS) {
    return this.waiters.until(() => {
      if (this.violation) throw this.violation;
      return this.ended ?? undefined;
    }, timeoutMs, () => new Error(`the server did not end the TCP connection${this.pending()}`));
  }

  /** Fails if any frame is queued or the parser saw a violation. */
  assertQuiet() {
    if (this.violation) throw this.violation;
    if (this.frames.length) throw new Error(`unexpected frames: ${this.pending()}`);
  }

  destroy() {
    this.socket.destroy();
  }
}

export function describeFrame(frame) {
  const name = Object.entries(OP).find(([, v]) => v === frame.opcode)?.[0] ?? `opcode ${frame.opcode}`;
  const extra = frame.opcode === OP.close ? ` code=${frame.code} reason=${JSON.stringify(frame.reason)}` : '';
  return `${name}${frame.fin ? '' : ' (no FIN)'}${frame.rsv1 ? ' RSV1' : ''} ${frame.payload.length} B${extra}`;
}

function openSocket(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
