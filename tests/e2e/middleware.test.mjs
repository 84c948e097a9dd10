// examples/middleware: logger() first, then a timing header added after the route ran, then an
// API-key check that answers 401 itself or hands a User to the route.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { curl, get, header, rawExchange } from './lib/http.mjs';
import { assertLogLine } from './lib/log.mjs';
import { startExample } from './lib/server.mjs';

let server;
let startedAt;
// Every request this file makes, in order: the logger must have written exactly these lines.
const expectedLog = [];
let linesSeen = 0;

before(async () => {
  startedAt = new Date();
  server = await startExample('middleware');
  await server.waitForLine(/Server started/);
  linesSeen = 1;
});

after(async () => {
  await server?.stop();
});

const LOGGED = /^(\S+) (\S+) (\d{3}) (\d+\.\d{2})ms$/;

/**
 * The logger writes its line before the response leaves, and these requests go one at a time, so
 * the next stdout line must be this request's. Returns the duration it logged, in ms.
 */
async function loggedDuration(method, target, status) {
  expectedLog.push(`${method} ${target} ${status}`);
  const index = linesSeen++;
  const line = await server.waitFor(() => server.lines()[index], 5_000, `log line ${index + 1}`);
  const message = assertLogLine(line, startedAt, new Date());
  const match = LOGGED.exec(message);
  assert.ok(match, `logger line ${JSON.stringify(message)} is not "METHOD target status d.ddms"`);
  assert.equal(`${match[1]} ${match[2]} ${match[3]}`, `${method} ${target} ${status}`);
  return Number(match[4]);
}

function responseTimeMicros(value) {
  assert.match(value ?? '', /^\d+us$/, `X-Response-Time ${value}`);
  return Number(value.slice(0, -2));
}

test('GET / passes through every middleware: body, X-Response-Time, log line', async () => {
  const response = await fetch(server.url('/'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain');
  assert.equal(await response.text(), 'public');
  const micros = responseTimeMicros(response.headers.get('x-response-time'));
  const millis = await loggedDuration('GET', '/', 200);
  // logger() runs first, so it times the timing middleware too (allowing for its 0.01 ms rounding).
  assert.ok(millis * 1000 + 5 >= micros, `logger ${millis} ms < X-Response-Time ${micros} us`);
});

test('GET /private without a key is 401 from the middleware, timed and logged', async () => {
  const response = await fetch(server.url('/private'));
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await response.text(), 'Unauthorized');
  responseTimeMicros(response.headers.get('x-response-time'));
  await loggedDuration('GET', '/private', 401);

  const wrong = await curl(['-H', 'X-API-Key: wrong', server.url('/private')]);
  assert.equal(wrong.status, 401);
  assert.equal(wrong.reason, 'Unauthorized');
  assert.equal(wrong.body, 'Unauthorized');
  responseTimeMicros(header(wrong, 'x-response-time'));
  await loggedDuration('GET', '/private', 401);
});

test('GET /private with the key reaches the route with the User the middleware set', async () => {
  const response = await fetch(server.url('/private'), { headers: { 'x-api-key': 'secret' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(await response.text(), '{"user":"Ada"}');
  responseTimeMicros(response.headers.get('x-response-time'));
  await loggedDuration('GET', '/private', 200);

  // Header names are case-insensitive.
  const viaCurl = await curl(['-H', 'x-API-KEY: secret', server.url('/private?from=curl')]);
  assert.equal(viaCurl.status, 200);
  assert.equal(viaCurl.body, '{"user":"Ada"}');
  // The log line carries the path only: query strings may hold tokens.
  await loggedDuration('GET', '/private', 200);
});

test('unrouted requests go through the middlewares too', async () => {
  const missing = await fetch(server.url('/missing?q=1'));
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), 'Not Found');
  responseTimeMicros(missing.headers.get('x-response-time'));
  await loggedDuration('GET', '/missing', 404);

  const wrongMethod = await curl(['-X', 'POST', '--data', 'x', server.url('/')]);
  assert.equal(wrongMethod.status, 405);
  assert.equal(header(wrongMethod, 'allow'), 'GET, HEAD');
  responseTimeMicros(header(wrongMethod, 'x-response-time'));
  await loggedDuration('POST', '/', 405);

  // The key check covers everything under /private, routed or not.
  const below = await fetch(server.url('/private/anything'));
  assert.equal(below.status, 401);
  await below.arrayBuffer();
  await loggedDuration('GET', '/private/anything', 401);
});

test('every spelling of /private meets the key check, which sees and logs the normal path', async () => {
  // Sent as they are, as curl --path-as-is would: a browser or fetch() would normalize them first.
  const spellings = ['//private', '/private/', '/./private', '/x/../private', '/../private',
    '/%2e%2e/private', '/%70rivate', '///private//'];
  for (const target of spellings) {
    const [response] = await rawExchange(server.port, get(target));
    assert.equal(response.status, 401, target);
    assert.equal(response.body, 'Unauthorized', target);
    await loggedDuration('GET', '/private', 401);
  }
  const [withKey] = await rawExchange(server.port, get('//private/', 'X-API-Key: secret\r\n'));
  assert.equal(withKey.status, 200);
  assert.equal(withKey.body, '{"user":"Ada"}');
  await loggedDuration('GET', '/private', 200);
  // An encoded slash is a byte of its segment: "/private%2Fx" is not below /private.
  const [encoded] = await rawExchange(server.port, get('/private%2Fx'));
  assert.equal(encoded.status, 404);
  await loggedDuration('GET', '/private%2Fx', 404);
});

test('HEAD is logged and answered without a body, headers included', async () => {
  const [head, next] = await rawExchange(server.port,
    'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n' + get('/private', 'X-API-Key: secret\r\n'), 2,
    { bodyless: [true, false] });
  assert.equal(head.status, 200);
  assert.equal(header(head, 'content-length'), '6');
  responseTimeMicros(header(head, 'x-response-time'));
  assert.equal(next.body, '{"user":"Ada"}');
  await loggedDuration('HEAD', '/', 200);
  await loggedDuration('GET', '/private', 200);
});

test('SIGTERM stops gracefully; the log holds exactly one line per request, in order', async () => {
  await server.stop();
  const stoppedAt = new Date();
  const messages = server.lines().map((line) => assertLogLine(line, startedAt, stoppedAt));
  assert.equal(messages[0], `Server started on http://localhost:${server.port}`);
  assert.equal(messages.at(-1), 'Received SIGTERM, stopping');
  const requests = messages.slice(1, -1).map((message) => {
    const match = LOGGED.exec(message);
    assert.ok(match, `unexpected log line ${JSON.stringify(message)}`);
    return `${match[1]} ${match[2]} ${match[3]}`;
  });
  assert.ok(expectedLog.length > 0);
  assert.deepEqual(requests, expectedLog);
  assert.equal(server.stderr, '');
});
