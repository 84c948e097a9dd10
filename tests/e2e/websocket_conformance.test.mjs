// examples/websocket_echo against RFC 6455 and RFC 7692, case groups after the Autobahn|Testsuite
// (1 framing, 2 pings/pongs, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close,
// 9 limits, 10 handshake, 12/13 permessage-deflate), with a raw client (lib/ws_raw.mjs) that
// builds every frame by hand and reads the server's frames strictly. Groups that concern data
// run twice: on a plain connection, and on one with permessage-deflate agreed where the client
// compresses what it sends and the echo must come back compressed.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { get, header, RawConnection } from './lib/http.mjs';
import { startExample } from './lib/server.mjs';
import {
  acceptFor, buildFrame, closePayload, deflateMessage, OP, parseExtensions, ProtocolViolation, randomKey, WsRawClient,
} from './lib/ws_raw.mjs';

const servers = {};

before(async () => {
  [servers.plain, servers.deflate, servers.small, servers.smallDeflate] = await Promise.all([
    startExample('websocket_echo'),
    startExample('websocket_echo', { env: { PER_MESSAGE_DEFLATE: '1' } }),
    startExample('websocket_echo', { env: { MAX_PAYLOAD: '1024' } }),
    startExample('websocket_echo', { env: { MAX_PAYLOAD: '1024', PER_MESSAGE_DEFLATE: '1' } }),
  ]);
});

after(async () => {
  const stops = await Promise.allSettled(Object.values(servers).map((server) => server.stop()));
  for (const stop of stops) if (stop.status === 'rejected') throw stop.reason;
});

const DEFLATE_ANSWER = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';

// A plain connection, and one with permessage-deflate where every data message is compressed.
const VARIANTS = [
  { label: 'plain', server: 'plain', small: 'small', offer: undefined, compress: false },
  { label: 'permessage-deflate', server: 'deflate', small: 'smallDeflate', offer: 'permessage-deflate; client_max_window_bits', compress: true },
];

async function connect(variant, { server = variant.server, ...options } = {}) {
  const client = await WsRawClient.connect(servers[server].port, { extensions: variant.offer, ...options });
  if (variant.compress) {
    assert.ok(client.deflate, 'permessage-deflate was agreed');
    assert.equal(client.response.headers.get('sec-websocket-extensions')[0], DEFLATE_ANSWER);
  } else {
    assert.equal(client.deflate, null);
  }
  return client;
}

/** Runs `body(client)` on a fresh connection and always destroys the socket afterwards. */
async function withClient(variant, body, options) {
  const client = await connect(variant, options);
  try {
    await body(client);
  } finally {
    client.destroy();
  }
}

/** The next message must be the echo of `data` as `type`, compressed as the variant says. */
async function expectEcho(client, variant, type, data, { controls } = {}) {
  const message = await client.nextMessage({ controls });
  assert.equal(message.type, type);
  assert.equal(message.compressed, variant.compress, `echo compressed: ${message.compressed}`);
  const expected = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  assert.equal(message.data.length, expected.length, 'echo length');
  assert.ok(message.data.equals(expected), 'echo bytes differ');
}

/** A clean closing handshake started by the client: 1000 echoed, then the server ends TCP. */
async function closeClean(client) {
  client.sendClose(1000, 'done');
  const { ended } = await client.expectClose(1000, { reason: 'done' });
  assert.equal(ended, 'fin', 'the server ends the TCP connection with FIN');
  client.assertQuiet();
}

/** The server must fail the connection: close `code` next, then end TCP, nothing after. */
async function expectFailure(client, code) {
  const { ended } = await client.expectClose(code);
  assert.equal(ended, 'fin', 'the server ends the TCP connection with FIN');
  client.assertQuiet();
}

/** Sends a message as the variant does (compressed or not) in `fragments` frames. */
function sendMessage(client, variant, opcode, data, fragments = 1) {
  client.sendMessage(opcode, data, { compress: variant.compress, fragments });
}

/** Exactly `size` bytes of UTF-8 text with 2- and 3-byte characters among ASCII. */
function textOf(size) {
  const unit = Buffer.from('Hello, wörld — κόσμε! ', 'utf8');
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; ++i) out[i] = unit[i % unit.length];
  // Cut back to a character boundary and pad with ASCII so the text stays valid.
  let end = size;
  while (end > 0 && (out[end - 1] & 0xc0) === 0x80) --end;
  if (end > 0 && out[end - 1] >= 0xc0) --end;
  out.fill(0x2e, end);
  return out;
}

const FRAME_SIZES = [0, 125, 126, 127, 128, 65535, 65536, 1024 * 1024];

for (const variant of VARIANTS) {
  describe(`[${variant.label}]`, () => {
    // ---------------------------------------------------------------------------------------------
    describe('1 framing', () => {
      for (const [t, type] of [[1, 'text'], [2, 'binary']]) {
        FRAME_SIZES.forEach((size, i) => {
          test(`1.${t}.${i + 1} ${type} message of ${size} bytes is echoed byte-exact`, () => withClient(variant, async (client) => {
            const data = type === 'text' ? textOf(size) : crypto.randomBytes(size);
            sendMessage(client, variant, type === 'text' ? OP.text : OP.binary, data);
            await expectEcho(client, variant, type, data);
            await closeClean(client);
          }));
        });
      }

      test('1.3.1 a 64 KiB message written in chops of 997 bytes is echoed', () => withClient(variant, async (client) => {
        const data = textOf(65536);
        const frames = WsRawClient.messageFrames(OP.text, data, { compress: variant.compress });
        client.sendChopped(buildFrame(frames[0]), 997);
        await expectEcho(client, variant, 'text', data);
        await closeClean(client);
      }));

      test('1.3.2 a small message written one byte at a time is echoed', () => withClient(variant, async (client) => {
        const frames = WsRawClient.messageFrames(OP.binary, Buffer.from([0, 1, 2, 0xfe, 0xff]), { compress: variant.compress });
        client.sendChopped(buildFrame(frames[0]), 1);
        await expectEcho(client, variant, 'binary', Buffer.from([0, 1, 2, 0xfe, 0xff]));
        await closeClean(client);
      }));

      test('1.3.3 three messages in one write are echoed in order', () => withClient(variant, async (client) => {
        const messages = ['one', Buffer.from([1, 2, 3]), 'three'];
        client.send(...messages.flatMap((m) => WsRawClient.messageFrames(typeof m === 'string' ? OP.text : OP.binary, m, { compress: variant.compress })));
        await expectEcho(client, variant, 'text', 'one');
        await expectEcho(client, variant, 'binary', Buffer.from([1, 2, 3]));
        await expectEcho(client, variant, 'text', 'three');
        await closeClean(client);
      }));

      for (const [name, frame] of [
        ['5 bytes with a 16-bit length', { opcode: OP.text, payload: 'hello', lengthBits: 16 }],
        ['200 bytes with a 64-bit length', { opcode: OP.binary, payload: Buffer.alloc(200), lengthBits: 64 }],
        ['a 64-bit length with its top bit set', { opcode: OP.binary, length: 2n ** 63n + 5n, lengthBits: 64 }],
      ]) {
        test(`1.4 a length not in the minimal encoding (${name}) → 1002`, () => withClient(variant, async (client) => {
          client.send(buildFrame(frame));
          await expectFailure(client, 1002);
        }));
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('2 pings and pongs', () => {
      const pingCases = [
        ['2.1 ping without payload', Buffer.alloc(0)],
        ['2.2 ping with a text payload', Buffer.from('Hello, world!')],
        ['2.3 ping with a binary payload', Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff])],
        ['2.4 ping with 125 bytes', crypto.randomBytes(125)],
      ];
      for (const [name, payload] of pingCases) {
        test(`${name} → pong with the same payload`, () => withClient(variant, async (client) => {
          client.send({ opcode: OP.ping, payload });
          const pong = await client.nextFrame('a pong');
          assert.equal(pong.opcode, OP.pong);
          assert.ok(pong.fin);
          assert.ok(pong.payload.equals(payload), 'pong payload');
          await closeClean(client);
        }));
      }

      test('2.5 ping with 126 bytes → 1002, no pong', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.ping, payload: Buffer.alloc(126, 0xfe) });
        await expectFailure(client, 1002);
      }));

      test('2.6 ping with 125 bytes written one byte at a time → pong', () => withClient(variant, async (client) => {
        const payload = crypto.randomBytes(125);
        client.sendChopped(buildFrame({ opcode: OP.ping, payload }), 1);
        const pong = await client.nextFrame('a pong');
        assert.equal(pong.opcode, OP.pong);
        assert.ok(pong.payload.equals(payload));
        await closeClean(client);
      }));

      test('2.7 unsolicited pong without payload is ignored', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.pong });
        sendMessage(client, variant, OP.text, 'after pong');
        await expectEcho(client, variant, 'text', 'after pong');
        await closeClean(client);
      }));

      test('2.8 unsolicited pong with payload is ignored', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.pong, payload: 'unsolicited pong payload' });
        sendMessage(client, variant, OP.text, 'after pong');
        await expectEcho(client, variant, 'text', 'after pong');
        await closeClean(client);
      }));

      test('2.9 unsolicited pong then ping → one pong, for the ping', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.pong, payload: 'unsolicited' }, { opcode: OP.ping, payload: 'ping payload' });
        const pong = await client.nextFrame('a pong');
        assert.equal(pong.opcode, OP.pong);
        assert.equal(pong.payload.toString(), 'ping payload');
        await closeClean(client);
      }));

      for (const [name, chopped] of [['2.10 ten pings in one write', false], ['2.11 ten pings written one byte at a time', true]]) {
        test(`${name} → ten pongs in order`, () => withClient(variant, async (client) => {
          const frames = Array.from({ length: 10 }, (_, i) => buildFrame({ opcode: OP.ping, payload: `payload-${i}` }));
          if (chopped) client.sendChopped(Buffer.concat(frames), 1);
          else client.send(...frames);
          for (let i = 0; i < 10; ++i) {
            const pong = await client.nextFrame(`pong ${i}`);
            assert.equal(pong.opcode, OP.pong);
            assert.equal(pong.payload.toString(), `payload-${i}`);
          }
          await closeClean(client);
        }));
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('3 reserved bits', () => {
      // Each case: a good message (echoed), the bad frame, a ping. The good message must be echoed,
      // then the close 1002 must follow with no pong: the server stops at the bad frame.
      const cases = [
        ['text with RSV2', { opcode: OP.text, payload: 'Hello', rsv2: true }],
        ['text with RSV3', { opcode: OP.text, payload: 'Hello', rsv3: true }],
        ['text with RSV2+RSV3', { opcode: OP.text, payload: 'Hello', rsv2: true, rsv3: true }],
        ['binary with RSV1+RSV3', { opcode: OP.binary, payload: Buffer.from([1, 2]), rsv1: true, rsv3: true }],
        ['ping with RSV1', { opcode: OP.ping, payload: 'ping', rsv1: true }],
        ['ping with RSV2', { opcode: OP.ping, payload: 'ping', rsv2: true }],
        ['close with RSV1+RSV2+RSV3', { opcode: OP.close, payload: closePayload(1000), rsv1: true, rsv2: true, rsv3: true }],
      ];
      if (!variant.compress) {
        cases.unshift(['text with RSV1 and no extension agreed', { opcode: OP.text, payload: 'Hello', rsv1: true }],
          ['binary with RSV1 and no extension agreed', { opcode: OP.binary, payload: Buffer.from([1]), rsv1: true }]);
      }
      cases.forEach(([name, bad], i) => {
        test(`3.${i + 1} ${name} → 1002`, () => withClient(variant, async (client) => {
          client.send(...WsRawClient.messageFrames(OP.text, 'good', { compress: variant.compress }), bad, { opcode: OP.ping, payload: 'ping' });
          await expectEcho(client, variant, 'text', 'good');
          await expectFailure(client, 1002);
        }));
      });

      test(`3.${cases.length + 1} the bad frame written one byte at a time → 1002`, () => withClient(variant, async (client) => {
        sendMessage(client, variant, OP.text, 'good');
        // Without payload: nothing follows the byte that completes the bad header, so no byte can
        // reach the server after it has closed (which would make the kernel answer with RST).
        client.sendChopped(buildFrame({ opcode: OP.text, rsv2: true }), 1);
        await expectEcho(client, variant, 'text', 'good');
        await expectFailure(client, 1002);
      }));

      if (variant.compress) {
        test('3.10 RSV1 on a continuation frame → 1002', () => withClient(variant, async (client) => {
          const compressed = deflateMessage('fragmented and compressed');
          client.send({ opcode: OP.text, payload: compressed.subarray(0, 5), fin: false, rsv1: true },
            { opcode: OP.continuation, payload: compressed.subarray(5), rsv1: true });
          await expectFailure(client, 1002);
        }));

        test('3.11 RSV1 on the first frame only (deflate agreed) is a compressed message', () => withClient(variant, async (client) => {
          const compressed = deflateMessage('fragmented and compressed');
          client.send({ opcode: OP.text, payload: compressed.subarray(0, 5), fin: false, rsv1: true },
            { opcode: OP.continuation, payload: compressed.subarray(5) });
          await expectEcho(client, variant, 'text', 'fragmented and compressed');
          await closeClean(client);
        }));
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('4 opcodes', () => {
      for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
        const kind = opcode < 8 ? 'data' : 'control';
        test(`4.${opcode < 8 ? 1 : 2}.${opcode} reserved ${kind} opcode 0x${opcode.toString(16)} → 1002`, () => withClient(variant, async (client) => {
          client.send(...WsRawClient.messageFrames(OP.text, 'good', { compress: variant.compress }),
            { opcode, payload: opcode % 2 ? 'reserved' : '' }, { opcode: OP.ping, payload: 'ping' });
          await expectEcho(client, variant, 'text', 'good');
          await expectFailure(client, 1002);
        }));
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('5 fragmentation', () => {
      const ping = (payload) => ({ opcode: OP.ping, payload });
      const fragments = (opcode, data, count) => WsRawClient.messageFrames(opcode, data, { compress: variant.compress, fragments: count });

      test('5.1 ping in 2 fragments → 1002', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.ping, payload: 'frag', fin: false }, { opcode: OP.continuation, payload: 'ment' });
        await expectFailure(client, 1002);
      }));

      test('5.2 pong in 2 fragments → 1002', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.pong, payload: 'frag', fin: false }, { opcode: OP.continuation, payload: 'ment' });
        await expectFailure(client, 1002);
      }));

      test('5.3 close without FIN → 1002', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.close, payload: closePayload(1000), fin: false });
        await expectFailure(client, 1002);
      }));

      test('5.4 text in 2 fragments in one write is echoed as one message', () => withClient(variant, async (client) => {
        client.send(...fragments(OP.text, 'fragment1fragment2', 2));
        await expectEcho(client, variant, 'text', 'fragment1fragment2');
        await closeClean(client);
      }));

      test('5.5 text in 2 fragments, one write each, is echoed as one message', () => withClient(variant, async (client) => {
        for (const frame of fragments(OP.text, 'fragment1fragment2', 2)) client.send(frame);
        await expectEcho(client, variant, 'text', 'fragment1fragment2');
        await closeClean(client);
      }));

      test('5.6 binary in 3 fragments is echoed as one binary message', () => withClient(variant, async (client) => {
        const data = crypto.randomBytes(3000);
        client.send(...fragments(OP.binary, data, 3));
        await expectEcho(client, variant, 'binary', data);
        await closeClean(client);
      }));

      test('5.7 text in 2 fragments with a ping between them → pong, then the echo', () => withClient(variant, async (client) => {
        const [first, last] = fragments(OP.text, 'fragment1fragment2', 2);
        client.send(first, ping('pongme!'), last);
        const pong = await client.nextFrame('the pong');
        assert.equal(pong.opcode, OP.pong);
        assert.equal(pong.payload.toString(), 'pongme!');
        await expectEcho(client, variant, 'text', 'fragment1fragment2');
        await closeClean(client);
      }));

      test('5.8 the ping between fragments is answered before the message ends', () => withClient(variant, async (client) => {
        const [first, middle, last] = fragments(OP.text, 'one-two-three', 3);
        client.send(first, ping('middle'));
        const pong = await client.nextFrame('the pong while the message is open');
        assert.equal(pong.opcode, OP.pong);
        assert.equal(pong.payload.toString(), 'middle');
        client.send(middle, ping('again'));
        assert.equal((await client.nextFrame('the second pong')).payload.toString(), 'again');
        client.send(last);
        await expectEcho(client, variant, 'text', 'one-two-three');
        await closeClean(client);
      }));

      test('5.9 fragments and pings written one byte at a time', () => withClient(variant, async (client) => {
        const [first, last] = fragments(OP.text, 'fragment1fragment2', 2);
        client.sendChopped(Buffer.concat([buildFrame(first), buildFrame(ping('pongme!')), buildFrame(last)]), 1);
        assert.equal((await client.nextFrame('the pong')).payload.toString(), 'pongme!');
        await expectEcho(client, variant, 'text', 'fragment1fragment2');
        await closeClean(client);
      }));

      test('5.10 continuation (no FIN) without a start, then text, then continuation → 1002', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.continuation, payload: 'fragment1', fin: false },
          ...fragments(OP.text, 'fragment2', 1), { opcode: OP.continuation, payload: 'fragment3' });
        await expectFailure(client, 1002);
      }));

      test('5.11 a lone final continuation → 1002', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.continuation, payload: 'fragment' });
        await expectFailure(client, 1002);
      }));

      test('5.12 a continuation after a complete message → echo, then 1002', () => withClient(variant, async (client) => {
        client.send(...fragments(OP.text, 'complete', 2), { opcode: OP.continuation, payload: 'extra' });
        await expectEcho(client, variant, 'text', 'complete');
        await expectFailure(client, 1002);
      }));

      test('5.13 a new text frame inside a fragmented message → 1002', () => withClient(variant, async (client) => {
        const [first] = fragments(OP.text, 'fragment1fragment2', 2);
        client.send(first, { opcode: OP.text, payload: 'new message' });
        await expectFailure(client, 1002);
      }));

      test('5.14 a binary frame inside a fragmented text message → 1002', () => withClient(variant, async (client) => {
        const [first] = fragments(OP.text, 'fragment1fragment2', 2);
        client.send(first, { opcode: OP.binary, payload: Buffer.from([1, 2, 3]), fin: false });
        await expectFailure(client, 1002);
      }));

      test('5.15 a message in 1,000 one-byte fragments is echoed', () => withClient(variant, async (client) => {
        const data = textOf(1000);
        const payload = variant.compress ? deflateMessage(data) : data;
        const frames = [...payload].map((byte, i) => ({
          opcode: i === 0 ? OP.text : OP.continuation,
          payload: Buffer.from([byte]),
          fin: i === payload.length - 1,
          rsv1: variant.compress && i === 0,
        }));
        client.send(...frames);
        await expectEcho(client, variant, 'text', data);
        await closeClean(client);
      }));

      test('5.16 empty fragments around the data are echoed as one message', () => withClient(variant, async (client) => {
        const payload = variant.compress ? deflateMessage('middle') : Buffer.from('middle');
        client.send({ opcode: OP.text, payload: Buffer.alloc(0), fin: false, rsv1: variant.compress },
          { opcode: OP.continuation, payload, fin: false },
          { opcode: OP.continuation, payload: Buffer.alloc(0) });
        await expectEcho(client, variant, 'text', 'middle');
        await closeClean(client);
      }));

      test('5.17 a 1 MiB message in 16 fragments is echoed', () => withClient(variant, async (client) => {
        const data = crypto.randomBytes(1024 * 1024);
        client.send(...fragments(OP.binary, data, 16));
        await expectEcho(client, variant, 'binary', data);
        await closeClean(client);
      }));

      test('5.18 two fragmented messages back to back are echoed in order', () => withClient(variant, async (client) => {
        client.send(...fragments(OP.text, 'first message', 3), ...fragments(OP.binary, Buffer.from('second'), 2));
        await expectEcho(client, variant, 'text', 'first message');
        await expectEcho(client, variant, 'binary', Buffer.from('second'));
        await closeClean(client);
      }));
    });

    // ---------------------------------------------------------------------------------------------
    describe('6 UTF-8', () => {
      const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
      const VALID = [
        ['Greek κόσμε', Buffer.from('κόσμε')],
        ['mixed Latin-1', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')],
        ['4-byte U+1D11E (𝄞)', hex('f09d849e')],
        ['first of each length: U+0000, U+0080, U+0800, U+10000', hex('00 c280 e0a080 f0908080')],
        ['last of each length: U+007F, U+07FF, U+FFFF, U+10FFFF', hex('7f dfbf efbfbf f48fbfbf')],
        ['around the surrogates: U+D7FF, U+E000, U+FFFD', hex('ed9fbf ee8080 efbfbd')],
        ['non-characters U+FFFE, U+FDD0, U+1FFFF', hex('efbfbe efb790 f09fbfbf')],
        ['emoji sequence', Buffer.from('👩‍💻 🇩🇪 ✨')],
      ];
      const INVALID = [
        ['overlong NUL C0 80', hex('c080')],
        ['overlong C1 BF', hex('c1bf')],
        ['overlong 3-byte E0 80 AF', hex('e080af')],
        ['overlong 3-byte E0 9F BF', hex('e09fbf')],
        ['overlong 4-byte F0 80 80 AF', hex('f08080af')],
        ['overlong 4-byte F0 8F BF BF', hex('f08fbfbf')],
        ['surrogate U+D800', hex('eda080')],
        ['surrogate U+DFFF', hex('edbfbf')],
        ['surrogate pair U+D834 U+DD1E', hex('eda0b4 edb49e')],
        ['above U+10FFFF: F4 90 80 80', hex('f4908080')],
        ['lead byte F5', hex('f5808080')],
        ['5-byte form F8 88 80 80 80', hex('f888808080')],
        ['byte FE', hex('fe')],
        ['byte FF', hex('ff')],
        ['lone continuation 80', hex('80')],
        ['continuation BF in the middle', Buffer.concat([Buffer.from('ab'), hex('bf'), Buffer.from('cd')])],
        ['2-byte lead then ASCII', hex('c241')],
        ['3-byte lead then ASCII', hex('e0a041')],
      ];
      const TRUNCATED = [
        ['truncated 2-byte C2', hex('c2')],
        ['truncated 3-byte E2 82', hex('e282')],
        ['truncated 4-byte F0 9D 84', hex('f09d84')],
      ];
      const prefixed = (bytes) => Buffer.concat([Buffer.from('Hello '), bytes]);

      VALID.forEach(([name, bytes], i) => {
        test(`6.1.${i + 1} valid ${name} is echoed`, () => withClient(variant, async (client) => {
          sendMessage(client, variant, OP.text, bytes);
          await expectEcho(client, variant, 'text', bytes);
          await closeClean(client);
        }));
      });

      test('6.2.1 valid multi-byte text in one-byte fragments is echoed', () => withClient(variant, async (client) => {
        const data = Buffer.from('κόσμε 𝄞 €');
        const frames = [...data].map((byte, i) => ({
          opcode: i === 0 ? OP.text : OP.continuation, payload: Buffer.from([byte]), fin: i === data.length - 1,
        }));
        client.send(...frames);
        // Sent uncompressed even with deflate agreed: the echo is compressed all the same.
        await expectEcho(client, variant, 'text', data);
        await closeClean(client);
      }));

      [...INVALID, ...TRUNCATED].forEach(([name, bytes], i) => {
        test(`6.3.${i + 1} invalid ${name} → 1007`, () => withClient(variant, async (client) => {
          sendMessage(client, variant, OP.text, prefixed(bytes));
          await expectFailure(client, 1007);
        }));
      });

      // Fail fast: uncompressed text is checked as it arrives, so the close follows the frame
      // (or the part of a frame) holding the bad byte, while the message is still open. Asserted
      // on the deflate connection too, with its text sent uncompressed.
      INVALID.forEach(([name, bytes], i) => {
        test(`6.4.${i + 1} ${name} in the first fragment → 1007 before the message ends`, () => withClient(variant, async (client) => {
          client.send({ opcode: OP.text, payload: prefixed(bytes), fin: false });
          await expectFailure(client, 1007);
        }));
      });

      test('6.5.1 an invalid byte early in a frame → 1007 before the rest of that frame is sent', () => withClient(variant, async (client) => {
        const payload = Buffer.concat([Buffer.from('ok '), hex('c0af'), Buffer.alloc(1000, 0x61)]);
        const frame = buildFrame({ opcode: OP.text, payload });
        client.write(frame.subarray(0, 2 + 2 + 4 + 10)); // header, mask key and 10 payload bytes
        await expectFailure(client, 1007);
      }));

      for (const [name, parts] of [
        ['F4 | 90 80 80 (above U+10FFFF)', [Buffer.from('ab\xf4', 'latin1'), hex('908080')]],
        ['E0 | 80 80 (overlong)', [hex('e0'), hex('8080')]],
        ['ED | A0 80 (surrogate)', [Buffer.from('x'), hex('ed'), hex('a080')]],
        ['F0 9D | 84 41 (cut short)', [hex('f09d'), hex('8441')]],
      ]) {
        test(`6.5 bad sequence split across fragments ${name} → 1007 after its last piece, before the message ends`, () => withClient(variant, async (client) => {
          // Up to the last piece the bytes are a valid prefix: a ping answered proves no close yet.
          parts.slice(0, -1).forEach((part, i) => client.send({ opcode: i === 0 ? OP.text : OP.continuation, payload: part, fin: false }));
          client.send({ opcode: OP.ping, payload: 'still open?' });
          const pong = await client.nextFrame('the pong while the message is open');
          assert.equal(pong.opcode, OP.pong);
          client.send({ opcode: OP.continuation, payload: parts.at(-1), fin: false });
          await expectFailure(client, 1007);
        }));
      }

      test('6.6.1 a valid 3-byte character split across fragments is echoed', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.text, payload: hex('e282'), fin: false }, { opcode: OP.continuation, payload: hex('ac') });
        await expectEcho(client, variant, 'text', '€');
        await closeClean(client);
      }));

      test('6.6.2 a message ending inside a character (final empty fragment) → 1007', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.text, payload: hex('41e2'), fin: false });
        client.send({ opcode: OP.ping, payload: 'open' });
        assert.equal((await client.nextFrame('a pong')).opcode, OP.pong);
        client.send({ opcode: OP.continuation, payload: Buffer.alloc(0) });
        await expectFailure(client, 1007);
      }));

      test('6.6.3 invalid bytes in a binary message are echoed untouched', () => withClient(variant, async (client) => {
        const data = hex('c080 eda080 f4908080 ff fe');
        sendMessage(client, variant, OP.binary, data);
        await expectEcho(client, variant, 'binary', data);
        await closeClean(client);
      }));
    });

    // ---------------------------------------------------------------------------------------------
    describe('7 close', () => {
      test('7.1.1 a message then close → echo, then close 1000', () => withClient(variant, async (client) => {
        client.send(...WsRawClient.messageFrames(OP.text, 'Hello World!', { compress: variant.compress }),
          { opcode: OP.close, payload: closePayload(1000) });
        await expectEcho(client, variant, 'text', 'Hello World!');
        const { ended } = await client.expectClose(1000, { reason: '' });
        assert.equal(ended, 'fin');
      }));

      for (const [name, extra] of [
        ['7.1.2 close then close again → one close', { opcode: OP.close, payload: closePayload(1001) }],
        ['7.1.3 close then ping → no pong', { opcode: OP.ping, payload: 'late ping' }],
        ['7.1.4 close then text → no echo', { opcode: OP.text, payload: 'late text' }],
      ]) {
        test(`${name} (data after close is ignored)`, () => withClient(variant, async (client) => {
          client.send({ opcode: OP.close, payload: closePayload(1000) }, extra);
          const { ended } = await client.expectClose(1000);
          assert.equal(ended, 'fin');
          client.assertQuiet();
        }));
      }

      test('7.1.5 fragment, close, final fragment → close echoed, no message', () => withClient(variant, async (client) => {
        const [first, last] = WsRawClient.messageFrames(OP.text, 'fragment1fragment2', { compress: variant.compress, fragments: 2 });
        client.send(first, { opcode: OP.close, payload: closePayload(1000) }, last);
        const { ended } = await client.expectClose(1000);
        assert.equal(ended, 'fin');
      }));

      test('7.3.1 close without payload → close without payload, then the server ends TCP', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.close });
        const frame = await client.nextFrame('the close echo');
        assert.equal(frame.opcode, OP.close);
        assert.equal(frame.payload.length, 0, 'an empty close payload is echoed empty');
        // The client never ends its side first: the FIN must be the server's (RFC 6455 §7.1.1).
        assert.equal(await client.tcpEnd(), 'fin');
        client.assertQuiet();
      }));

      test('7.3.2 close with a 1-byte payload → 1002', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.close, payload: Buffer.from([0x03]) });
        await expectFailure(client, 1002);
      }));

      test('7.3.3 close 1000 without reason → 1000 without reason', () => withClient(variant, async (client) => {
        client.sendClose(1000);
        const frame = await client.nextFrame('the close echo');
        assert.equal(frame.code, 1000);
        assert.equal(frame.payload.length, 2);
        assert.equal(await client.tcpEnd(), 'fin');
      }));

      test('7.3.4 close 1000 with a reason → 1000 with that reason', () => withClient(variant, async (client) => {
        client.sendClose(1000, 'Hello World! κόσμε');
        const { ended } = await client.expectClose(1000, { reason: 'Hello World! κόσμε' });
        assert.equal(ended, 'fin');
      }));

      test('7.3.5 close 1000 with a 123-byte reason → echoed whole', () => withClient(variant, async (client) => {
        const reason = 'r'.repeat(121) + 'é';
        assert.equal(Buffer.byteLength(reason), 123);
        client.sendClose(1000, reason);
        const { ended } = await client.expectClose(1000, { reason });
        assert.equal(ended, 'fin');
      }));

      test('7.3.6 close 1000 with a 124-byte reason (126-byte payload) → 1002', () => withClient(variant, async (client) => {
        client.sendClose(1000, 'r'.repeat(124));
        await expectFailure(client, 1002);
      }));

      test('7.5.1 close with an invalid UTF-8 reason → 1007', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.close, payload: Buffer.concat([closePayload(1000), Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80])]) });
        await expectFailure(client, 1007);
      }));

      for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
        test(`7.7 valid close code ${code} is echoed`, () => withClient(variant, async (client) => {
          client.sendClose(code, 'code');
          const { ended } = await client.expectClose(code, { reason: 'code' });
          assert.equal(ended, 'fin');
        }));
      }

      for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
        test(`7.9 invalid close code ${code} → 1002`, () => withClient(variant, async (client) => {
          client.sendClose(code);
          await expectFailure(client, 1002);
        }));
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('9 limits (MAX_PAYLOAD=1024)', () => {
      const small = { ...variant, server: variant.small };
      const run = (body) => withClient(small, body);

      for (const [type, opcode] of [['text', OP.text], ['binary', OP.binary]]) {
        test(`9.1 a ${type} message of exactly 1024 bytes is echoed`, () => run(async (client) => {
          // Compressed, random bytes would grow past 1024 on the wire (see 9.12): use a pattern.
          const data = type === 'text' ? textOf(1024) : Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xff));
          sendMessage(client, small, opcode, data);
          await expectEcho(client, small, type, data);
          await closeClean(client);
        }));

        test(`9.2 a ${type} message of 1025 bytes → 1009`, () => run(async (client) => {
          const data = type === 'text' ? textOf(1025) : crypto.randomBytes(1025);
          sendMessage(client, small, opcode, data);
          await expectFailure(client, 1009);
        }));
      }

      test('9.3 a header announcing 1025 bytes → 1009 before the payload is sent', () => run(async (client) => {
        client.write(buildFrame({ opcode: OP.binary, length: 1025 }));
        await expectFailure(client, 1009);
      }));

      test('9.4 a header announcing 2^62 bytes → 1009 at once', () => run(async (client) => {
        client.write(buildFrame({ opcode: OP.binary, length: 2n ** 62n }));
        await expectFailure(client, 1009);
      }));

      test('9.5 1024 bytes in fragments of 512 + 512 are echoed', () => run(async (client) => {
        const data = crypto.randomBytes(1024);
        client.send({ opcode: OP.binary, payload: data.subarray(0, 512), fin: false }, { opcode: OP.continuation, payload: data.subarray(512) });
        await expectEcho(client, small, 'binary', data);
        await closeClean(client);
      }));

      test('9.6 fragments of 512 + 513 → 1009 after the second header', () => run(async (client) => {
        client.send({ opcode: OP.binary, payload: Buffer.alloc(512), fin: false });
        client.write(buildFrame({ opcode: OP.continuation, length: 513 }));
        await expectFailure(client, 1009);
      }));

      test('9.7 1025 one-byte text fragments → 1009 at the last one', () => run(async (client) => {
        const frames = Array.from({ length: 1025 }, (_, i) => ({
          opcode: i === 0 ? OP.text : OP.continuation, payload: 'x', fin: i === 1024,
        }));
        client.send(...frames.slice(0, 1024));
        client.send({ opcode: OP.ping, payload: 'at 1024' });
        assert.equal((await client.nextFrame('a pong at 1024 bytes')).opcode, OP.pong);
        client.send(frames[1024]);
        await expectFailure(client, 1009);
      }));

      test('9.8 control frames are not counted against the limit', () => run(async (client) => {
        client.send({ opcode: OP.binary, payload: Buffer.alloc(1000), fin: false },
          { opcode: OP.ping, payload: Buffer.alloc(125) }, { opcode: OP.continuation, payload: Buffer.alloc(24) });
        assert.equal((await client.nextFrame('a pong')).opcode, OP.pong);
        await expectEcho(client, small, 'binary', Buffer.alloc(1024));
        await closeClean(client);
      }));

      if (variant.compress) {
        test('9.9 1024 compressible bytes compressed are echoed; 1025 → 1009', () => run(async (client) => {
          sendMessage(client, small, OP.text, 'a'.repeat(1024));
          await expectEcho(client, small, 'text', 'a'.repeat(1024));
          sendMessage(client, small, OP.text, 'a'.repeat(1025));
          await expectFailure(client, 1009);
        }));

        test('9.10 a deflate bomb (200 B inflating to 256 KiB) → 1009, the server stays up', async () => {
          const bomb = deflateMessage(Buffer.alloc(256 * 1024));
          assert.ok(bomb.length < 1024, `the bomb is ${bomb.length} bytes on the wire`);
          await run(async (client) => {
            client.send({ opcode: OP.binary, payload: bomb, rsv1: true });
            await expectFailure(client, 1009);
          });
          assert.equal(servers[small.server].exit, null, 'the server is still running');
          await run(async (client) => {
            sendMessage(client, small, OP.text, 'still here');
            await expectEcho(client, small, 'text', 'still here');
            await closeClean(client);
          });
        });

        test('9.12 the limit holds for the compressed size too: 1024 random bytes compressed past 1024 → 1009', () => run(async (client) => {
          const data = crypto.randomBytes(1024);
          const compressed = deflateMessage(data);
          assert.ok(compressed.length > 1024, `compressed to ${compressed.length}`);
          client.send({ opcode: OP.binary, payload: compressed, rsv1: true });
          await expectFailure(client, 1009);
        }));

        test('9.11 a fragmented deflate bomb → 1009', () => run(async (client) => {
          const bomb = deflateMessage(Buffer.alloc(512 * 1024, 0x61));
          client.send(...[0, 1, 2].map((i) => ({
            opcode: i === 0 ? OP.text : OP.continuation,
            payload: bomb.subarray(Math.floor((i * bomb.length) / 3), Math.floor(((i + 1) * bomb.length) / 3)),
            fin: i === 2,
            rsv1: i === 0,
          })));
          await expectFailure(client, 1009);
        }));
      }
    });

    // ---------------------------------------------------------------------------------------------
    describe('masking', () => {
      for (const [name, frame] of [
        ['text', { opcode: OP.text, payload: 'unmasked', masked: false }],
        ['binary', { opcode: OP.binary, payload: Buffer.alloc(300), masked: false }],
        ['ping', { opcode: OP.ping, payload: 'unmasked', masked: false }],
        ['close', { opcode: OP.close, payload: closePayload(1000), masked: false }],
      ]) {
        test(`an unmasked ${name} frame → 1002`, () => withClient(variant, async (client) => {
          client.send(frame);
          await expectFailure(client, 1002);
        }));
      }

      test('an unmasked continuation inside a masked message → 1002', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.text, payload: 'masked', fin: false }, { opcode: OP.continuation, payload: 'unmasked', masked: false });
        await expectFailure(client, 1002);
      }));

      test('an all-zero mask key is still a masked frame', () => withClient(variant, async (client) => {
        client.send({ opcode: OP.text, payload: 'zero key', maskKey: Buffer.alloc(4) });
        const message = await client.nextMessage();
        assert.equal(message.data.toString(), 'zero key');
        await closeClean(client);
      }));
    });
  });
}

// -------------------------------------------------------------------------------------------------
describe('7 close after queued data', () => {
  for (const variant of VARIANTS) {
    test(`7.x [${variant.label}] an 8 MiB message and a close sent back to back: the whole echo, then the close`, async () => {
      await withClient(variant, async (client) => {
        const data = Buffer.alloc(8 * 1024 * 1024, 0x61);
        sendMessage(client, variant, OP.binary, data);
        client.sendClose(1000, 'done');
        await expectEcho(client, variant, 'binary', data);
        const { ended } = await client.expectClose(1000, { reason: 'done' });
        assert.equal(ended, 'fin', 'the server ends the TCP connection with FIN');
      });
    });
  }
});

describe('10 handshake', () => {
  const upgrade = (key, extra = '', { method = 'GET', version = '13', path = '/ws', http = '1.1' } = {}) => {
    const lines = [`${method} ${path} HTTP/${http}`, 'Host: localhost', 'Upgrade: websocket', 'Connection: Upgrade'];
    if (key !== null) lines.push(`Sec-WebSocket-Key: ${key}`);
    if (version !== null) lines.push(`Sec-WebSocket-Version: ${version}`);
    return `${lines.join('\r\n')}\r\n${extra}\r\n`;
  };

  async function answer(request, server = servers.plain) {
    const connection = await RawConnection.open(server.port);
    try {
      connection.write(request);
      return await connection.response({ bodyless: false });
    } finally {
      connection.destroy();
    }
  }

  test('10.1 the RFC 6455 sample key gets s3pPLMBiTxaQ9kYGzzhZRbK+xOo= (node:crypto agrees)', async () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    assert.equal(acceptFor(key), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const response = await answer(upgrade(key));
    assert.equal(response.status, 101);
    assert.equal(response.reason, 'Switching Protocols');
    assert.equal(header(response, 'sec-websocket-accept'), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    assert.equal(header(response, 'upgrade').toLowerCase(), 'websocket');
    assert.match(header(response, 'connection'), /^upgrade$/i);
    assert.equal(header(response, 'content-length'), undefined);
    assert.equal(header(response, 'transfer-encoding'), undefined);
  });

  test('10.2 random keys get SHA-1(key + GUID) in base64', async () => {
    for (let i = 0; i < 5; ++i) {
      const key = randomKey();
      const response = await answer(upgrade(key));
      assert.equal(response.status, 101);
      const expected = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      assert.equal(header(response, 'sec-websocket-accept'), expected);
    }
  });

  for (const version of ['12', '8', '14', '13, 8']) {
    test(`10.3 Sec-WebSocket-Version: ${version} → 426 with Sec-WebSocket-Version: 13`, async () => {
      const response = await answer(upgrade(randomKey(), '', { version }));
      assert.equal(response.status, 426);
      assert.equal(header(response, 'sec-websocket-version'), '13');
      assert.equal(header(response, 'sec-websocket-accept'), undefined);
    });
  }

  for (const [name, key] of [
    ['missing', null],
    ['empty', ''],
    ['too short', 'dGhlIHNhbXBsZQ=='],
    ['without padding', 'dGhlIHNhbXBsZSBub25jZQ'],
    ['not base64', 'dGhlIHNhbXBsZSBub25j!Q=='],
    ['too long', 'dGhlIHNhbXBsZSBub25jZSBsb25n'],
  ]) {
    test(`10.4 Sec-WebSocket-Key ${name} → 400`, async () => {
      const response = await answer(upgrade(key));
      assert.equal(response.status, 400);
      assert.equal(header(response, 'sec-websocket-accept'), undefined);
    });
  }

  test('10.5 without Connection: upgrade → 400', async () => {
    const key = randomKey();
    const noConnection = `GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    assert.equal((await answer(noConnection)).status, 400);
    const keepAlive = noConnection.replace('Upgrade: websocket', 'Upgrade: websocket\r\nConnection: keep-alive');
    assert.equal((await answer(keepAlive)).status, 400);
  });

  test('10.6 Connection: keep-alive, Upgrade and Upgrade: WebSocket are accepted (token lists, any case)', async () => {
    const key = randomKey();
    const request = `GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const response = await answer(request);
    assert.equal(response.status, 101);
    assert.equal(header(response, 'sec-websocket-accept'), acceptFor(key));
  });

  test('10.7 GET /ws without upgrade headers → 426 Upgrade Required', async () => {
    const response = await answer(get('/ws'));
    assert.equal(response.status, 426);
    assert.equal(header(response, 'upgrade'), 'websocket');
    const viaFetch = await fetch(servers.plain.url('/ws'));
    assert.equal(viaFetch.status, 426);
    await viaFetch.arrayBuffer();
  });

  test('10.8 POST /ws → 405 (with and without upgrade headers)', async () => {
    const plain = await answer('POST /ws HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n');
    assert.equal(plain.status, 405);
    const withUpgrade = await answer(upgrade(randomKey(), 'Content-Length: 0\r\n', { method: 'POST' }));
    assert.equal(withUpgrade.status, 405);
    assert.equal(header(withUpgrade, 'sec-websocket-accept'), undefined);
  });

  test('10.9 an upgrade over HTTP/1.0 → 400', async () => {
    const response = await answer(upgrade(randomKey(), '', { http: '1.0' }));
    assert.equal(response.status, 400);
  });

  test('10.10 frames sent in the same write as the handshake are read after the 101', async () => {
    const early = Buffer.concat([buildFrame({ opcode: OP.text, payload: 'early bird' }), buildFrame({ opcode: OP.ping, payload: 'p' })]);
    const client = await WsRawClient.connect(servers.plain.port, { early });
    try {
      const message = await client.nextMessage();
      assert.equal(message.data.toString(), 'early bird');
      assert.equal((await client.nextFrame('a pong')).opcode, OP.pong);
      await closeClean(client);
    } finally {
      client.destroy();
    }
  });

  test('10.11 no extension or subprotocol is answered that the server does not speak', async () => {
    const client = await WsRawClient.connect(servers.plain.port, {
      extensions: 'permessage-deflate; client_max_window_bits',
      headers: { 'Sec-WebSocket-Protocol': 'chat, superchat' },
    });
    try {
      assert.equal(client.deflate, null);
      assert.equal(client.response.headers.has('sec-websocket-extensions'), false);
      assert.equal(client.response.headers.has('sec-websocket-protocol'), false);
      client.send({ opcode: OP.text, payload: deflateMessage('x'), rsv1: true });
      await expectFailure(client, 1002);
    } finally {
      client.destroy();
    }
  });

  test('10.12 the server still serves HTTP next to the endpoint', async () => {
    const response = await fetch(servers.plain.url('/'));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'WebSocket echo on /ws');
  });
});

// -------------------------------------------------------------------------------------------------
describe('12/13 permessage-deflate', () => {
  const deflateVariant = VARIANTS[1];

  async function negotiate(offer, server = servers.deflate) {
    const client = await WsRawClient.connect(server.port, { extensions: offer });
    client.destroy();
    return client.response.headers.get('sec-websocket-extensions')?.[0];
  }

  for (const [offer, expected] of [
    ['permessage-deflate', DEFLATE_ANSWER],
    ['permessage-deflate; client_max_window_bits', DEFLATE_ANSWER],
    ['permessage-deflate; client_no_context_takeover', DEFLATE_ANSWER],
    ['permessage-deflate; server_no_context_takeover; client_no_context_takeover', DEFLATE_ANSWER],
    ['PerMessage-Deflate; Client_Max_Window_Bits', DEFLATE_ANSWER],
    ['permessage-deflate; client_max_window_bits=10', `${DEFLATE_ANSWER}; client_max_window_bits=10`],
    ['permessage-deflate; client_max_window_bits="9"', `${DEFLATE_ANSWER}; client_max_window_bits=9`],
    ['permessage-deflate; server_max_window_bits=15', `${DEFLATE_ANSWER}; server_max_window_bits=15`],
    ['permessage-deflate; server_max_window_bits=10', `${DEFLATE_ANSWER}; server_max_window_bits=10`],
    ['x-webkit-deflate-frame, permessage-deflate; client_max_window_bits', DEFLATE_ANSWER],
    ['permessage-deflate; server_max_window_bits=7, permessage-deflate', DEFLATE_ANSWER],
  ]) {
    test(`12.1 offer "${offer}" → "${expected}"`, async () => {
      assert.equal(await negotiate(offer), expected);
      const params = parseExtensions(expected)[0].params;
      assert.ok(params.has('client_no_context_takeover') && params.has('server_no_context_takeover'));
    });
  }

  for (const offer of [
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; client_max_window_bits=010',
    'permessage-deflate; server_no_context_takeover=1',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; unknown_parameter',
    'permessage-deflate;; client_max_window_bits',
    'permessage-deflate; client_max_window_bits="1 0"',
    'x-webkit-deflate-frame',
  ]) {
    test(`12.2 declined offer "${offer}" → no extension, RSV1 then → 1002`, async () => {
      const client = await WsRawClient.connect(servers.deflate.port, { extensions: offer });
      try {
        assert.equal(client.response.headers.has('sec-websocket-extensions'), false);
        sendMessage(client, VARIANTS[0], OP.text, 'plain');
        const message = await client.nextMessage();
        assert.equal(message.compressed, false);
        assert.equal(message.data.toString(), 'plain');
        client.send({ opcode: OP.text, payload: deflateMessage('x'), rsv1: true });
        await expectFailure(client, 1002);
      } finally {
        client.destroy();
      }
    });
  }

  const SIZES = [0, 1, 16, 125, 126, 1000, 4096, 65535, 65536, 200_000, 1024 * 1024];
  SIZES.forEach((size, i) => {
    for (const [kind, make] of [['compressible text', textOf], ['random binary', (n) => crypto.randomBytes(n)]]) {
      test(`12.3.${i + 1} ${kind} of ${size} bytes compressed is echoed compressed`, () => withClient(deflateVariant, async (client) => {
        const data = make(size);
        const opcode = kind.endsWith('text') ? OP.text : OP.binary;
        client.sendMessage(opcode, data, { compress: true });
        await expectEcho(client, deflateVariant, opcode === OP.text ? 'text' : 'binary', data);
        await closeClean(client);
      }));
    }
  });

  test('12.4 compressible text shrinks on the wire both ways', () => withClient(deflateVariant, async (client) => {
    const data = textOf(64 * 1024);
    const sent = deflateMessage(data);
    assert.ok(sent.length < data.length / 10, `client compressed to ${sent.length}`);
    client.send({ opcode: OP.text, payload: sent, rsv1: true });
    const frame = await client.nextFrame('the compressed echo');
    assert.ok(frame.rsv1 && frame.fin);
    assert.ok(frame.payload.length < data.length / 10, `server sent ${frame.payload.length} bytes for ${data.length}`);
    await closeClean(client);
  }));

  for (const count of [2, 5, 64]) {
    test(`13.1 a compressed message in ${count} fragments is echoed`, () => withClient(deflateVariant, async (client) => {
      const data = textOf(100_000);
      client.sendMessage(OP.text, data, { compress: true, fragments: count });
      await expectEcho(client, deflateVariant, 'text', data);
      await closeClean(client);
    }));
  }

  test('13.2 compressed and uncompressed messages alternate on one connection', () => withClient(deflateVariant, async (client) => {
    for (let i = 0; i < 6; ++i) {
      const data = textOf(500 + i * 1000);
      client.sendMessage(OP.text, data, { compress: i % 2 === 0 });
      await expectEcho(client, deflateVariant, 'text', data); // the server compresses either way
    }
    await closeClean(client);
  }));

  test('13.3 each message compressed on its own (no context takeover): 100 messages', () => withClient(deflateVariant, async (client) => {
    const messages = Array.from({ length: 100 }, (_, i) => `message ${i} ${'abc'.repeat(i)}`);
    client.send(...messages.flatMap((m) => WsRawClient.messageFrames(OP.text, m, { compress: true })));
    for (const m of messages) await expectEcho(client, deflateVariant, 'text', m);
    await closeClean(client);
  }));

  test('13.4 a message ending in a final DEFLATE block (no sync tail) is accepted', () => withClient(deflateVariant, async (client) => {
    const data = textOf(5000);
    client.send({ opcode: OP.text, payload: deflateMessage(data, { finish: true }), rsv1: true });
    await expectEcho(client, deflateVariant, 'text', data);
    await closeClean(client);
  }));

  test('13.5 empty compressed messages (payload 00, and no payload) are echoed empty', () => withClient(deflateVariant, async (client) => {
    client.send({ opcode: OP.text, payload: Buffer.from([0x00]), rsv1: true }, { opcode: OP.binary, payload: Buffer.alloc(0), rsv1: true });
    await expectEcho(client, deflateVariant, 'text', '');
    await expectEcho(client, deflateVariant, 'binary', Buffer.alloc(0));
    await closeClean(client);
  }));

  test('13.6 client_max_window_bits=9 agreed: a 9-bit window stream is echoed', async () => {
    const client = await WsRawClient.connect(servers.deflate.port, { extensions: 'permessage-deflate; client_max_window_bits=9' });
    try {
      assert.equal(client.deflate.get('client_max_window_bits'), '9');
      const data = textOf(20_000);
      client.sendMessage(OP.text, data, { compress: true, windowBits: 9 });
      await expectEcho(client, deflateVariant, 'text', data);
      await closeClean(client);
    } finally {
      client.destroy();
    }
  });

  test('13.7 server_max_window_bits=10 agreed: the server sends uncompressed', async () => {
    const client = await WsRawClient.connect(servers.deflate.port, { extensions: 'permessage-deflate; server_max_window_bits=10' });
    try {
      assert.equal(client.deflate.get('server_max_window_bits'), '10');
      client.sendMessage(OP.text, textOf(3000), { compress: true });
      const message = await client.nextMessage();
      assert.equal(message.compressed, false);
      assert.ok(message.data.equals(textOf(3000)));
      await closeClean(client);
    } finally {
      client.destroy();
    }
  });

  test('13.8 corrupt compressed data → 1007', () => withClient(deflateVariant, async (client) => {
    const corrupt = Buffer.from(deflateMessage(textOf(1000)));
    corrupt[0] = 0xff; // reserved block type 11
    client.send({ opcode: OP.binary, payload: corrupt, rsv1: true });
    await expectFailure(client, 1007);
  }));

  test('13.9 compressed text that inflates to invalid UTF-8 → 1007', () => withClient(deflateVariant, async (client) => {
    client.send({ opcode: OP.text, payload: deflateMessage(Buffer.from([0x48, 0x69, 0xed, 0xa0, 0x80])), rsv1: true });
    await expectFailure(client, 1007);
  }));

  test('13.10 a 32 MiB deflate bomb on the default 16 MiB limit → 1009, the server stays up', async () => {
    const bomb = deflateMessage(Buffer.alloc(32 * 1024 * 1024));
    assert.ok(bomb.length < 64 * 1024, `the bomb is ${bomb.length} bytes on the wire`);
    await withClient(deflateVariant, async (client) => {
      client.send({ opcode: OP.binary, payload: bomb, rsv1: true });
      await expectFailure(client, 1009);
    });
    assert.equal(servers.deflate.exit, null, 'the server is still running');
    await withClient(deflateVariant, async (client) => {
      client.sendMessage(OP.text, 'alive', { compress: true });
      await expectEcho(client, deflateVariant, 'text', 'alive');
      await closeClean(client);
    });
  });
});

test('every server logged nothing to stderr', () => {
  for (const [name, server] of Object.entries(servers)) assert.equal(server.stderr, '', `${name}: ${server.stderr}`);
});

// -------------------------------------------------------------------------------------------------
// The strict reader above only proves something if it rejects what a broken server would send:
// a fake server (node:net) answers the handshake and then writes one bad frame each time.
describe('the raw client rejects bad server frames', () => {
  const serverFrame = (b0, payload = Buffer.alloc(0), { masked = false } = {}) =>
    Buffer.concat([Buffer.from([b0, (masked ? 0x80 : 0) | payload.length]), masked ? Buffer.alloc(4) : Buffer.alloc(0), payload]);

  async function fakeServer(bytes, extensions) {
    const server = net.createServer((socket) => {
      let head = '';
      socket.on('data', (data) => {
        head += data.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const key = /sec-websocket-key: (\S+)/i.exec(head)[1];
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Accept: ${acceptFor(key)}\r\n${extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : ''}\r\n`);
        socket.end(bytes);
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  for (const [name, bytes, offer] of [
    ['a masked frame', serverFrame(0x81, Buffer.from('hi'), { masked: true })],
    ['RSV1 without permessage-deflate', serverFrame(0xc1, Buffer.from('hi'))],
    ['RSV2', serverFrame(0xa1, Buffer.from('hi'))],
    ['opcode 3', serverFrame(0x83)],
    ['a fragmented ping', serverFrame(0x09)],
    ['a continuation outside a message', serverFrame(0x80, Buffer.from('x'))],
    ['a 16-bit length for 5 bytes', Buffer.from([0x81, 126, 0, 5, 104, 101, 108, 108, 111])],
    ['a close payload of 1 byte', serverFrame(0x88, Buffer.from([3]))],
    ['close code 1005', serverFrame(0x88, closePayload(1005))],
    ['bytes after the close frame', Buffer.concat([serverFrame(0x88, closePayload(1000)), serverFrame(0x81, Buffer.from('late'))])],
    ['RSV1 on a continuation', Buffer.concat([serverFrame(0x41, Buffer.from([0x02])), serverFrame(0xc0, Buffer.from([0x00]))]), 'permessage-deflate'],
  ]) {
    test(`rejects ${name}`, async () => {
      const server = await fakeServer(bytes, offer);
      try {
        const client = await WsRawClient.connect(server.address().port, { extensions: offer });
        try {
          await assert.rejects(async () => {
            await client.nextFrame();
            await client.nextFrame();
          }, ProtocolViolation);
        } finally {
          client.destroy();
        }
      } finally {
        server.close();
      }
    });
  }
});
