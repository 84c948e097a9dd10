// Real WebSocket clients against examples/websocket_echo and examples/websocket_chat: Node's
// `ws`, Python's `websockets` (Debian python3-websockets, run by Debian's /usr/bin/python3) and
// headless Chromium driven by playwright-core (Debian's /usr/bin/chromium, installed by
// scripts/setup). Each is an implementation written by others, with and without
// permessage-deflate where the client supports it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { e2eDir, startExample } from './lib/server.mjs';
import { WsClient } from './lib/ws_client.mjs';

const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-websockets (not a pyenv build)
const CHROMIUM = '/usr/bin/chromium';
const DEFLATE_ANSWER = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';

const servers = {};

before(async () => {
  [servers.plain, servers.deflate, servers.small, servers.chat] = await Promise.all([
    startExample('websocket_echo'),
    startExample('websocket_echo', { env: { PER_MESSAGE_DEFLATE: '1' } }),
    startExample('websocket_echo', { env: { MAX_PAYLOAD: '1024' } }),
    startExample('websocket_chat'),
  ]);
});

after(async () => {
  const stops = await Promise.allSettled(Object.values(servers).map((server) => server.stop()));
  for (const stop of stops) if (stop.status === 'rejected') throw stop.reason;
});

const wsUrl = (server, query = '') => `ws://127.0.0.1:${server.port}/ws${query}`;

// -------------------------------------------------------------------------------------------------
describe('ws (Node)', () => {
  const clients = [];
  const open = async (server, options) => {
    const client = await WsClient.open(wsUrl(server), options);
    clients.push(client);
    return client;
  };
  after(() => {
    for (const client of clients) client.terminate();
  });

  for (const [label, serverName, perMessageDeflate, agreed] of [
    ['perMessageDeflate off', 'plain', false, ''],
    ['perMessageDeflate on', 'deflate', true, DEFLATE_ANSWER],
    ['perMessageDeflate offered, server without it', 'plain', true, ''],
  ]) {
    test(`echo text and binary (${label})`, async () => {
      const client = await open(servers[serverName], { perMessageDeflate });
      assert.equal(client.headers['sec-websocket-extensions'] ?? '', agreed);
      assert.equal(client.ws.extensions, agreed ? 'permessage-deflate' : '', 'what ws itself accepted');
      await client.send('Hello from ws, κόσμε 𝄞');
      assert.deepEqual(await client.next(), { data: 'Hello from ws, κόσμε 𝄞', binary: false });
      const bytes = crypto.randomBytes(4096);
      await client.send(bytes, { binary: true });
      const echo = await client.next();
      assert.equal(echo.binary, true);
      assert.ok(echo.data.equals(bytes));
      await client.send('', {});
      assert.deepEqual(await client.next(), { data: '', binary: false });
      await client.send(Buffer.alloc(0), { binary: true });
      const empty = await client.next();
      assert.equal(empty.binary, true);
      assert.equal(empty.data.length, 0);
      assert.deepEqual(await client.close(1000, 'done'), { code: 1000, reason: 'done' });
    });
  }

  for (const [label, serverName, perMessageDeflate] of [['without', 'plain', false], ['with', 'deflate', true]]) {
    test(`a 5 MB text and a 5 MB binary message are echoed (${label} permessage-deflate)`, async () => {
      const client = await open(servers[serverName], { perMessageDeflate, maxPayload: 8 * 1024 * 1024 });
      const text = 'The quick brown fox jumps over the lazy dog. κόσμε '.repeat(100_000).slice(0, 5_000_000);
      await client.send(text);
      const textEcho = await client.next();
      assert.equal(textEcho.binary, false);
      assert.equal(textEcho.data.length, text.length);
      assert.ok(textEcho.data === text, 'the 5 MB text differs');
      const bytes = crypto.randomBytes(5_000_000);
      await client.send(bytes, { binary: true });
      const binaryEcho = await client.next();
      assert.ok(binaryEcho.data.equals(bytes), 'the 5 MB binary message differs');
      if (perMessageDeflate) {
        // Both directions compressed: the repetitive text crossed the wire in far fewer bytes.
        assert.ok(client.socket.bytesRead < 5_000_000 + 2_000_000,
          `read ${client.socket.bytesRead} bytes for 10 MB of echoes`);
        assert.ok(client.socket.bytesWritten < 5_000_000 + 2_000_000, `wrote ${client.socket.bytesWritten}`);
      } else {
        assert.ok(client.socket.bytesRead > 10_000_000);
      }
      await client.close(1000);
    });
  }

  test('ping → pong with the same payload (several, and empty)', async () => {
    const client = await open(servers.plain);
    for (const payload of [Buffer.from('ws ping'), Buffer.alloc(0), crypto.randomBytes(125)]) {
      const pong = await client.ping(payload);
      assert.ok(pong.equals(payload), 'pong payload');
    }
    await client.send('still echoing');
    assert.equal(await client.nextText(), 'still echoing');
    await client.close(1000);
  });

  test('close codes the client sees: its own code and reason echoed, none → 1005', async () => {
    for (const [code, reason] of [[1000, 'bye'], [1001, 'going'], [4000, 'custom κόσμε'], [3999, '']]) {
      const client = await open(servers.plain);
      assert.deepEqual(await client.close(code, reason), { code, reason });
    }
    const silent = await open(servers.plain);
    assert.deepEqual(await silent.close(), { code: 1005, reason: '' });
  });

  test('close 1009 when a message is over max_payload_length (MAX_PAYLOAD=1024)', async () => {
    const client = await open(servers.small);
    await client.send('x'.repeat(1024));
    assert.equal((await client.nextText()).length, 1024);
    await client.send('x'.repeat(1025));
    const { code } = await client.waitForClose();
    assert.equal(code, 1009);
    assert.equal(client.messages.length, 1);
  });

  test('close 1007 when the client sends invalid UTF-8 as text', async () => {
    const client = await open(servers.plain);
    await client.send(Buffer.from([0x48, 0x69, 0xc0, 0xaf]), { binary: false });
    assert.equal((await client.waitForClose()).code, 1007);
  });

  test('50 clients at once, each gets only its own echoes', async () => {
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => open(i % 2 ? servers.deflate : servers.plain,
      { perMessageDeflate: i % 2 === 1 })));
    await Promise.all(many.map(async (client, i) => {
      for (let j = 0; j < 5; ++j) {
        await client.send(`client ${i} message ${j}`);
        assert.equal(await client.nextText(), `client ${i} message ${j}`);
      }
      await client.close(1000);
    }));
  });
});

// -------------------------------------------------------------------------------------------------
describe('websockets (Python)', () => {
  const script = path.join(e2eDir, 'python', 'echo_client.py');

  function runPython(args) {
    assert.ok(existsSync(PYTHON), `${PYTHON} is missing: run scripts/setup`);
    return new Promise((resolve, reject) => {
      execFile(PYTHON, [script, ...args], { timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`python ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
          return;
        }
        const results = new Map(stdout.trim().split('\n').map((line) => {
          const parsed = JSON.parse(line);
          return [parsed.check, parsed];
        }));
        resolve(results);
      });
    });
  }

  for (const [label, serverName, compress, extensions] of [
    ['without compression', 'plain', false, null],
    ['with permessage-deflate', 'deflate', true, DEFLATE_ANSWER],
    ['compression offered, server without it', 'plain', true, null],
  ]) {
    test(`echo, 3 MiB, fragmented text, ping, close 4001 (${label})`, async () => {
      const results = await runPython([wsUrl(servers[serverName]), 'echo', ...(compress ? ['--compress'] : [])]);
      assert.equal(results.get('handshake').extensions, extensions);
      assert.deepEqual(results.get('text'), { check: 'text', type: 'str', equal: true, reply: 'Hello from Python, κόσμε 𝄞' });
      assert.deepEqual(results.get('binary'), { check: 'binary', type: 'bytes', equal: true, size: 1024 });
      const large = results.get('large');
      assert.equal(large.size, 3 * 1024 * 1024);
      assert.equal(large.received, large.sent, 'SHA-256 of the 3 MiB echo');
      assert.equal(results.get('fragmented').reply, 'fragmented text');
      assert.equal(results.get('ping').answered, true);
      assert.deepEqual(results.get('close'), { check: 'close', code: 4001, reason: 'python says bye' });
    });
  }

  test('a message over MAX_PAYLOAD=1024 → the client sees close 1009', async () => {
    const results = await runPython([wsUrl(servers.small), 'too-big']);
    const result = results.get('too-big');
    assert.equal(result.closed, true);
    assert.equal(result.code, 1009);
  });
});

// -------------------------------------------------------------------------------------------------
describe('Chromium (playwright-core)', () => {
  let browser;
  let scratch; // a temp folder for the screenshot (KEEP_SCREENSHOT=path keeps a copy)

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup`);
    scratch = await mkdtemp(path.join(os.tmpdir(), 'pulsarcpp-chromium-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
  });

  after(async () => {
    await browser?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** The chat page's message list, in order. */
  const listOf = (page) => page.locator('#messages li').allTextContents();

  /** Waits until the page's message list is exactly `expected`. */
  async function waitForList(page, expected, what) {
    try {
      await page.waitForFunction((want) => {
        const items = [...document.querySelectorAll('#messages li')].map((li) => li.textContent);
        return JSON.stringify(items) === JSON.stringify(want);
      }, expected, { timeout: 10_000 });
    } catch (error) {
      throw new Error(`${what}: expected ${JSON.stringify(expected)}, page shows ${JSON.stringify(await listOf(page))}` +
        `\n${error.message}`);
    }
  }

  test('chat: two pages see the welcome, join, messages and leave notices', async (t) => {
    const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
    try {
      const ada = await context.newPage();
      await ada.goto(servers.chat.url('/?name=Ada'));
      await waitForList(ada, ['Welcome to the chat!'], "Ada's page after connecting");
      assert.equal(await ada.locator('#status').textContent(), 'Connected as Ada');

      const bob = await context.newPage();
      await bob.goto(servers.chat.url('/?name=Bob'));
      await waitForList(bob, ['Welcome to the chat!'], "Bob's page after connecting");
      await waitForList(ada, ['Welcome to the chat!', 'Bob joined the chat!'], "Ada's page after Bob joined");

      // As a person would: type into the field and press Enter.
      await ada.locator('#text').click();
      await ada.keyboard.type('Hello from Chromium, κόσμε!');
      await ada.keyboard.press('Enter');
      const line = 'Ada: Hello from Chromium, κόσμε!';
      await waitForList(ada, ['Welcome to the chat!', 'Bob joined the chat!', line], "Ada's page after sending");
      await waitForList(bob, ['Welcome to the chat!', line], "Bob's page after Ada sent");
      assert.equal(await ada.locator('#text').inputValue(), '', 'the field is cleared after sending');

      // Bob answers with the button instead of Enter.
      await bob.locator('#text').fill('Hi Ada');
      await bob.locator('#button').click();
      await waitForList(bob, ['Welcome to the chat!', line, 'Bob: Hi Ada'], "Bob's page after answering");
      await waitForList(ada, ['Welcome to the chat!', 'Bob joined the chat!', line, 'Bob: Hi Ada'], "Ada's page after Bob answered");

      await bob.close();
      const final = ['Welcome to the chat!', 'Bob joined the chat!', line, 'Bob: Hi Ada', 'Bob left the chat!'];
      await waitForList(ada, final, "Ada's page after Bob left");

      const shot = path.join(scratch, 'chat-ada.png');
      await ada.screenshot({ path: shot });
      t.diagnostic(`screenshot of Ada's page: ${shot}`);
      if (process.env.KEEP_SCREENSHOT) await ada.screenshot({ path: process.env.KEEP_SCREENSHOT });
    } finally {
      await context.close();
    }
  });

  for (const [label, serverName, extensions] of [['permessage-deflate', 'deflate', DEFLATE_ANSWER], ['no extension', 'plain', '']]) {
    test(`the browser's own WebSocket echoes text, binary and 1 MiB (${label})`, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(servers[serverName].url('/'));
        assert.equal(await page.locator('body').textContent(), 'WebSocket echo on /ws');
        const result = await page.evaluate(async (url) => {
          const socket = new WebSocket(url);
          socket.binaryType = 'arraybuffer';
          const replies = [];
          let notify = () => {};
          socket.onmessage = (event) => {
            replies.push(event.data);
            notify();
          };
          const nextReply = () => new Promise((resolve) => {
            if (replies.length) resolve(replies.shift());
            else notify = () => { notify = () => {}; resolve(replies.shift()); };
          });
          await new Promise((resolve, reject) => {
            socket.onopen = resolve;
            socket.onerror = () => reject(new Error('WebSocket error'));
          });
          const out = { extensions: socket.extensions };
          socket.send('Hello from the browser, 𝄞');
          out.text = await nextReply();
          socket.send(new Uint8Array([0, 1, 2, 253, 254, 255]));
          out.binary = [...new Uint8Array(await nextReply())];
          const big = 'abcdefghij'.repeat(104_858).slice(0, 1024 * 1024);
          socket.send(big);
          out.bigEqual = (await nextReply()) === big;
          const closed = new Promise((resolve) => {
            socket.onclose = (event) => resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean });
          });
          socket.close(1000, 'browser done');
          out.close = await closed;
          return out;
        }, `ws://127.0.0.1:${servers[serverName].port}/ws`);
        assert.equal(result.extensions, extensions);
        assert.equal(result.text, 'Hello from the browser, 𝄞');
        assert.deepEqual(result.binary, [0, 1, 2, 253, 254, 255]);
        assert.equal(result.bigEqual, true);
        assert.deepEqual(result.close, { code: 1000, reason: 'browser done', wasClean: true });
      } finally {
        await page.close();
      }
    });
  }
});
