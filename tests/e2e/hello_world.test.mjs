// examples/hello_world: one JSON route. Also the server's HTTP/1.1 basics every example shares:
// startup log, 404/405/HEAD, keep-alive, pipelining, many clients at once, graceful stop.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { curl, get, header, RawConnection, rawExchange } from './lib/http.mjs';
import { assertLogLine } from './lib/log.mjs';
import { startExample } from './lib/server.mjs';

const HELLO = '{"message":"Hello, world!"}';
let server;
let startedAt;

before(async () => {
  startedAt = new Date();
  server = await startExample('hello_world');
});

after(async () => {
  await server?.stop();
});

test('logs "Server started on http://localhost:<port>" in Pulsar\'s log format', async () => {
  const line = await server.waitForLine(/Server started/);
  assert.equal(server.lines()[0], line, 'the startup line comes first');
  assert.equal(assertLogLine(line, startedAt, new Date()), `Server started on http://localhost:${server.port}`);
  assert.equal(server.stderr, '');
});

test('GET / answers the JSON greeting (fetch)', async () => {
  const response = await fetch(server.url('/'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(response.headers.get('content-length'), String(HELLO.length));
  assert.equal(await response.text(), HELLO);
  const date = Date.parse(response.headers.get('date'));
  assert.ok(Math.abs(date - Date.now()) < 5_000, `Date header ${response.headers.get('date')} is not now`);
});

test('GET / answers the JSON greeting (curl)', async () => {
  const response = await curl([server.url('/')]);
  assert.equal(response.version, '1.1');
  assert.equal(response.status, 200);
  assert.equal(response.reason, 'OK');
  assert.equal(header(response, 'content-type'), 'application/json');
  assert.equal(header(response, 'content-length'), '27');
  assert.equal(response.body, HELLO);
});

test('an unknown path is 404 "Not Found" as text/plain;charset=utf-8', async () => {
  const response = await fetch(server.url('/missing'));
  assert.equal(response.status, 404);
  assert.equal(response.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await response.text(), 'Not Found');

  const viaCurl = await curl([server.url('/missing/deeper?x=1')]);
  assert.equal(viaCurl.status, 404);
  assert.equal(viaCurl.reason, 'Not Found');
  assert.equal(header(viaCurl, 'content-type'), 'text/plain;charset=utf-8');
  assert.equal(viaCurl.body, 'Not Found');
});

test('another method on a known path is 405 with Allow', async () => {
  const response = await fetch(server.url('/'), { method: 'POST', body: 'x' });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'GET, HEAD');
  assert.equal(response.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await response.text(), 'Method Not Allowed');

  const viaCurl = await curl(['-X', 'DELETE', server.url('/')]);
  assert.equal(viaCurl.status, 405);
  assert.equal(header(viaCurl, 'allow'), 'GET, HEAD');
  assert.equal(viaCurl.body, 'Method Not Allowed');
});

test('HEAD answers like GET without a body', async () => {
  const response = await fetch(server.url('/'), { method: 'HEAD' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(response.headers.get('content-length'), '27');
  assert.equal(await response.text(), '');

  // On the wire: had any body bytes followed the HEAD answer, the GET answer after it on the
  // same connection would not parse as a response.
  const [head, getAfter] = await rawExchange(server.port, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n' + get('/'), 2,
    { bodyless: [true, false] });
  assert.equal(head.status, 200);
  assert.equal(header(head, 'content-length'), '27');
  assert.equal(getAfter.status, 200);
  assert.equal(getAfter.body, HELLO);
});

test('keep-alive: one connection serves several requests (node:http agent, raw socket)', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = () => new Promise((resolve, reject) => {
    const req = http.get(server.url('/'), { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body, reused: req.reusedSocket,
        connection: res.headers.connection }));
    });
    req.on('error', reject);
  });
  try {
    const first = await request();
    const second = await request();
    const third = await request();
    assert.deepEqual([first.status, second.status, third.status], [200, 200, 200]);
    assert.deepEqual([first.body, second.body, third.body], [HELLO, HELLO, HELLO]);
    assert.deepEqual([first.reused, second.reused, third.reused], [false, true, true]);
    assert.equal(first.connection, undefined, 'no Connection header on a kept-alive HTTP/1.1 answer');
  } finally {
    agent.destroy();
  }

  const connection = await RawConnection.open(server.port);
  try {
    for (let i = 0; i < 3; ++i) {
      connection.write(get('/'));
      const response = await connection.response();
      assert.equal(response.status, 200);
      assert.equal(response.body, HELLO);
      assert.equal(connection.ended, false, 'the server kept the connection open');
    }
    connection.write(get('/', 'Connection: close\r\n'));
    const last = await connection.response();
    assert.equal(header(last, 'connection'), 'close');
    assert.equal(last.body, HELLO);
    assert.equal(await connection.closed(), '', 'nothing follows the last answer');
  } finally {
    connection.destroy();
  }
});

test('HTTP/1.0 without keep-alive is answered and closed', async () => {
  const connection = await RawConnection.open(server.port);
  try {
    connection.write('GET / HTTP/1.0\r\n\r\n');
    const response = await connection.response();
    assert.equal(response.status, 200);
    assert.equal(header(response, 'connection'), 'close');
    assert.equal(response.body, HELLO);
    assert.equal(await connection.closed(), '');
  } finally {
    connection.destroy();
  }
});

test('16 pipelined requests on one socket are answered in order', async () => {
  // Three kinds of answer in a known sequence, sent in a single write: 200, 404, 405, 200, ...
  const kinds = Array.from({ length: 16 }, (_, i) => i % 3);
  const requests = kinds.map((kind, i) => {
    if (kind === 0) return get('/');
    if (kind === 1) return get(`/missing-${i}`);
    return `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n${String(i).padStart(2, '0')}`;
  });
  const connection = await RawConnection.open(server.port);
  try {
    connection.write(requests.join(''));
    const responses = await connection.responses(16);
    assert.deepEqual(responses.map((r) => r.status), kinds.map((k) => [200, 404, 405][k]));
    assert.deepEqual(responses.map((r) => r.body),
      kinds.map((k) => [HELLO, 'Not Found', 'Method Not Allowed'][k]));
    assert.equal(connection.buffer.length, 0, 'exactly 16 answers, nothing more');
    assert.equal(connection.ended, false);
  } finally {
    connection.destroy();
  }
});

test('200 concurrent fetches all succeed', async () => {
  const results = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const response = await fetch(server.url(`/?n=${i}`));
    return { status: response.status, body: await response.text() };
  }));
  assert.equal(results.filter((r) => r.status === 200 && r.body === HELLO).length, 200,
    `failures: ${JSON.stringify(results.filter((r) => r.status !== 200 || r.body !== HELLO).slice(0, 5))}`);
});

test('SIGTERM stops the server gracefully: exit code 0, logged', async () => {
  const stopAt = new Date();
  await server.stop();
  const lines = server.lines();
  assert.equal(assertLogLine(lines.at(-1), stopAt, new Date()), 'Received SIGTERM, stopping');
  assert.equal(lines.length, 2, `only the start and stop lines are logged:\n${server.stdout}`);
  assert.equal(server.stderr, '');
});
