// examples/websocket_chat: the chat of Pulsar's WebSocket page, spoken to by `ws` clients. The
// exact sequence each client sees (PARITY.md "The chat example"): a welcome for the newcomer, a
// join notice to the others, each message echoed to its sender and published to everyone else
// (never twice to the sender), a leave notice; the name from ?name= or "Someone". Also the JSON
// route, the logger's line for the 101, and a graceful stop with sockets open (close 1001).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertLogLine } from './lib/log.mjs';
import { startExample } from './lib/server.mjs';
import { WsClient } from './lib/ws_client.mjs';

const WELCOME = 'Welcome to the chat!';
let server;
let startedAt;
const clients = [];

before(async () => {
  startedAt = new Date();
  server = await startExample('websocket_chat');
  await server.waitForLine(/Server started/);
});

after(async () => {
  for (const client of clients) client.terminate();
  await server?.stop();
});

async function join(query = '') {
  const client = await WsClient.open(`ws://127.0.0.1:${server.port}/ws${query}`);
  clients.push(client);
  assert.equal(await client.nextText(), WELCOME, 'the newcomer is welcomed first');
  return client;
}

/** Every later message of each client, none left over: asserts nothing else arrived. */
function assertNothingMore(...list) {
  for (const client of list) {
    assert.deepEqual(client.texts().slice(client.cursor), [], 'no unexpected messages');
  }
}

test('GET /hello answers Pulsar\'s JSON greeting; GET / the chat page', async () => {
  const sentAt = new Date();
  const hello = await fetch(server.url('/hello'));
  assert.equal(hello.status, 200);
  assert.equal(hello.headers.get('content-type'), 'application/json');
  assert.deepEqual(await hello.json(), { message: 'Hello, world!' });

  const page = await fetch(server.url('/'));
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  assert.match(html, /<ul id="messages"><\/ul>/);
  assert.match(html, /new WebSocket\(url\)/);
  const line = await server.waitForLine(/: GET \/hello 200 /);
  assert.match(assertLogLine(line, sentAt, new Date()), /^GET \/hello 200 \d+\.\d{2}ms$/);
});

test('welcome, join notice, echo + publish without a duplicate, leave notice', async () => {
  const ada = await join('?name=Ada');
  const bob = await join('?name=Bob');
  assert.equal(await ada.nextText(), 'Bob joined the chat!');

  await ada.send('Hello Bob!');
  assert.equal(await ada.nextText(), 'Ada: Hello Bob!', 'the sender gets its own line back');
  assert.equal(await bob.nextText(), 'Ada: Hello Bob!');

  // A second message: had publish reached the sender too, its copy of the first line (delivered
  // on the sender's own loop, at once) would come before this echo.
  await ada.send('Are you there?');
  assert.equal(await ada.nextText(), 'Ada: Are you there?');
  assert.equal(await bob.nextText(), 'Ada: Are you there?');

  await bob.send('Yes!');
  assert.equal(await bob.nextText(), 'Bob: Yes!');
  assert.equal(await ada.nextText(), 'Bob: Yes!');
  await bob.send('κόσμε 𝄞');
  assert.equal(await bob.nextText(), 'Bob: κόσμε 𝄞');
  assert.equal(await ada.nextText(), 'Bob: κόσμε 𝄞');

  const closeEvent = await bob.close(1000, 'bye');
  assert.deepEqual(closeEvent, { code: 1000, reason: 'bye' });
  assert.equal(await ada.nextText(), 'Bob left the chat!');

  assert.deepEqual(ada.texts(), [WELCOME, 'Bob joined the chat!', 'Ada: Hello Bob!', 'Ada: Are you there?',
    'Bob: Yes!', 'Bob: κόσμε 𝄞', 'Bob left the chat!']);
  assert.deepEqual(bob.texts(), [WELCOME, 'Ada: Hello Bob!', 'Ada: Are you there?', 'Bob: Yes!', 'Bob: κόσμε 𝄞']);

  await ada.close(1000);
});

test('the name comes from ?name= (decoded UTF-8, at most 40 characters), else "Someone"', async () => {
  const watcher = await join('?name=Watcher');
  const expected = [];
  for (const [query, name] of [
    ['', 'Someone'],
    ['?name=', 'Someone'],
    ['?name=Ada%20Lovelace', 'Ada Lovelace'],
    [`?name=${'x'.repeat(50)}`, 'x'.repeat(40)],
    [`?name=${encodeURIComponent('é'.repeat(50))}`, 'é'.repeat(40)],
    // Not UTF-8, so not text a WebSocket may carry: no name.
    ['?name=%FF', 'Someone'],
  ]) {
    const client = await join(query);
    assert.equal(await watcher.nextText(), `${name} joined the chat!`);
    await client.send('hi');
    assert.equal(await client.nextText(), `${name}: hi`);
    assert.equal(await watcher.nextText(), `${name}: hi`);
    await client.close(1000);
    assert.equal(await watcher.nextText(), `${name} left the chat!`);
    expected.push(`${name} joined the chat!`, `${name}: hi`, `${name} left the chat!`);
    assertNothingMore(client);
  }
  assert.deepEqual(watcher.texts(), [WELCOME, ...expected]);
  await watcher.close(1000);
});

test('a client that vanishes without a close frame is announced as gone', async () => {
  const ada = await join('?name=Ada');
  const ghost = await join('?name=Ghost');
  assert.equal(await ada.nextText(), 'Ghost joined the chat!');
  ghost.terminate(); // TCP closed without a close frame: the server's close handler gets 1006
  assert.equal(await ada.nextText(), 'Ghost left the chat!');
  await ada.close(1000);
  assertNothingMore(ada);
});

test('many clients: everyone sees each line once, the sender its echo once', async () => {
  const count = 12;
  const members = [];
  for (let i = 0; i < count; ++i) {
    const member = await join(`?name=M${i}`);
    for (const earlier of members) assert.equal(await earlier.nextText(), `M${i} joined the chat!`);
    members.push(member);
  }
  for (let i = 0; i < count; ++i) {
    await members[i].send(`line ${i}`);
    for (const member of members) assert.equal(await member.nextText(), `M${i}: line ${i}`);
  }
  // A last round proves no duplicate is still on its way to any sender.
  await members[0].send('end');
  for (const member of members) assert.equal(await member.nextText(), 'M0: end');
  assertNothingMore(...members);
  for (const member of members) await member.close(1000);
});

test('the logger writes one line per 101, with the path and without the query', async () => {
  const sentAt = new Date();
  const client = await join('?name=Logged');
  const lines101 = () => server.lines().filter((line) => /: GET \/ws 101 /.test(line));
  // One per WebSocket this file opened, each written as its upgrade was answered.
  await server.waitFor(() => (lines101().length === clients.length ? true : undefined), 5_000,
    `${clients.length} log lines for 101 answers`);
  const message = assertLogLine(lines101().at(-1), sentAt, new Date());
  assert.match(message, /^GET \/ws 101 \d+\.\d{2}ms$/);
  assert.ok(!server.stdout.includes('Logged'), 'the query string is not logged');
  await client.close(1000);
});

test('SIGTERM with sockets open: every client gets close 1001, the server exits 0', async () => {
  const open = [await join('?name=A'), await join('?name=B'), await join('?name=C')];
  assert.equal(await open[0].nextText(), 'B joined the chat!');
  assert.equal(await open[0].nextText(), 'C joined the chat!');
  assert.equal(await open[1].nextText(), 'C joined the chat!');
  const stopAt = new Date();
  const stopped = server.stop();
  const closes = await Promise.all(open.map((client) => client.waitForClose()));
  for (const close of closes) assert.equal(close.code, 1001, `close ${close.code} ${close.reason}`);
  await stopped; // exit code 0, asserted by stop()
  assert.equal(assertLogLine(server.lines().at(-1), stopAt, new Date()), 'Received SIGTERM, stopping');
  assert.equal(server.stderr, '');
  const started = assertLogLine(server.lines()[0], startedAt, new Date());
  assert.equal(started, `Server started on http://localhost:${server.port}`);
});
