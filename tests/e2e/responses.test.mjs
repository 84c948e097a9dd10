// examples/responses: each helper's status, headers and body, files with validators and ranges,
// streams and server-sent events, cookies, a coroutine route, a throwing route, ./public.

import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { curl, get, header, parseEventStream, RawConnection, rawExchange } from './lib/http.mjs';
import { assertLogLine } from './lib/log.mjs';
import { exampleDir, startExample } from './lib/server.mjs';

const folder = exampleDir('responses');
const helloTxt = readFileSync(path.join(folder, 'hello.txt'), 'utf8');
const styleCss = readFileSync(path.join(folder, 'public/style.css'), 'utf8');

let server;
let startedAt;
let throwsRequested = 0;

before(async () => {
  startedAt = new Date();
  server = await startExample('responses');
});

after(async () => {
  await server?.stop();
});

test('json, text and html set their content types', async () => {
  const cases = [
    ['/json', 'application/json', '{"message":"Hello, world!"}'],
    ['/text', 'text/plain', 'Hello, world!'],
    ['/html', 'text/html', '<h1>Hello, world!</h1>'],
  ];
  for (const [route, type, body] of cases) {
    const response = await fetch(server.url(route));
    assert.equal(response.status, 200, route);
    assert.equal(response.headers.get('content-type'), type, route);
    assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(body)), route);
    assert.equal(await response.text(), body, route);
  }
  const viaCurl = await curl([server.url('/html')]);
  assert.equal(header(viaCurl, 'content-type'), 'text/html');
  assert.equal(viaCurl.body, '<h1>Hello, world!</h1>');
});

test('file() sends the file with its type, ETag and Last-Modified', async () => {
  const response = await fetch(server.url('/file'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(helloTxt)));
  assert.equal(response.headers.get('accept-ranges'), 'bytes');
  assert.equal(response.headers.get('last-modified'),
    new Date(Math.floor(statSync(path.join(folder, 'hello.txt')).mtimeMs / 1000) * 1000).toUTCString());
  const etag = response.headers.get('etag');
  assert.match(etag, /^"[!#-~]+"$/, 'a strong entity tag');
  assert.equal(await response.text(), helloTxt);
  assert.equal(helloTxt, 'Hello from a file served with sendfile.\n');

  const again = await curl([server.url('/file')]);
  assert.equal(header(again, 'etag'), etag, 'the same file keeps its tag');
  assert.equal(again.body, helloTxt);
});

test('If-None-Match with the ETag is 304 without a body', async () => {
  const etag = (await fetch(server.url('/file'))).headers.get('etag');
  const response = await fetch(server.url('/file'), { headers: { 'if-none-match': etag } });
  assert.equal(response.status, 304);
  assert.equal(response.headers.get('etag'), etag);
  assert.equal(await response.text(), '');

  const viaCurl = await curl(['-H', `If-None-Match: W/"other", ${etag}`, server.url('/file')]);
  assert.equal(viaCurl.status, 304);
  assert.equal(viaCurl.body, '');

  const stale = await fetch(server.url('/file'), { headers: { 'if-none-match': '"not-it"' } });
  assert.equal(stale.status, 200);
  assert.equal(await stale.text(), helloTxt);

  // On the wire: a 304 has no body, so the answer pipelined after it parses cleanly.
  const [notModified, next] = await rawExchange(server.port,
    get('/file', `If-None-Match: ${etag}\r\n`) + get('/text'), 2);
  assert.equal(notModified.status, 304);
  assert.equal(next.body, 'Hello, world!');
});

test('Range requests get 206 with Content-Range, or 416', async () => {
  const size = Buffer.byteLength(helloTxt);
  const first = await fetch(server.url('/file'), { headers: { range: 'bytes=0-4' } });
  assert.equal(first.status, 206);
  assert.equal(first.headers.get('content-range'), `bytes 0-4/${size}`);
  assert.equal(first.headers.get('content-length'), '5');
  assert.equal(await first.text(), 'Hello');

  const suffix = await curl(['-H', 'Range: bytes=-9', server.url('/file')]);
  assert.equal(suffix.status, 206);
  assert.equal(header(suffix, 'content-range'), `bytes ${size - 9}-${size - 1}/${size}`);
  assert.equal(suffix.body, helloTxt.slice(-9));

  const open = await curl(['-r', '6-', server.url('/file')]);
  assert.equal(open.status, 206);
  assert.equal(open.body, helloTxt.slice(6));

  const beyond = await fetch(server.url('/file'), { headers: { range: `bytes=${size}-${size + 10}` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${size}`);
  await beyond.arrayBuffer();
});

test('redirect() answers 302 and redirect(…, 301) 301, with Location', async () => {
  const found = await fetch(server.url('/redirect'), { redirect: 'manual' });
  assert.equal(found.status, 302);
  assert.equal(found.headers.get('location'), '/text');
  assert.equal(await found.text(), '');

  const moved = await fetch(server.url('/moved'), { redirect: 'manual' });
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), '/json');
  await moved.arrayBuffer();

  const followed = await fetch(server.url('/redirect'));
  assert.equal(followed.redirected, true);
  assert.equal(followed.url, server.url('/text'));
  assert.equal(await followed.text(), 'Hello, world!');

  const viaCurl = await curl(['-L', server.url('/moved')]);
  assert.equal(viaCurl.status, 200);
  assert.equal(viaCurl.body, '{"message":"Hello, world!"}');
});

test('stream() sends the generator\'s pieces as chunks', async () => {
  const response = await fetch(server.url('/stream'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('transfer-encoding'), 'chunked');
  assert.equal(response.headers.get('content-length'), null);
  assert.equal(await response.text(), '1\n2\n3\n4\n5\n');

  // Each co_yield is one chunk on the wire, and the connection stays usable afterwards.
  const [streamed, next] = await rawExchange(server.port, get('/stream') + get('/text'), 2);
  assert.deepEqual(streamed.chunks, ['1\n', '2\n', '3\n', '4\n', '5\n']);
  assert.equal(next.body, 'Hello, world!');

  const viaCurl = await curl([server.url('/stream')]);
  assert.equal(viaCurl.body, '1\n2\n3\n4\n5\n');
});

test('HTTP/1.0 gets the stream unchunked, ended by closing the connection', async () => {
  const connection = await RawConnection.open(server.port);
  try {
    connection.write('GET /stream HTTP/1.0\r\n\r\n');
    const [response] = await connection.responses(1);
    assert.equal(response.status, 200);
    assert.equal(header(response, 'transfer-encoding'), undefined);
    assert.equal(header(response, 'connection'), 'close');
    assert.equal(response.body, '1\n2\n3\n4\n5\n');
    assert.equal(connection.ended, true);
  } finally {
    connection.destroy();
  }
});

test('a file, a stream, a public file and JSON pipelined on one socket come back in order', async () => {
  const [fileAnswer, streamed, css, json, head, afterHead] = await rawExchange(server.port,
    get('/file') + get('/stream') + get('/public/style.css') + get('/json') +
    'HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n' + get('/text'), 6,
    { bodyless: [false, false, false, false, true, false] });
  assert.equal(fileAnswer.body, helloTxt);
  assert.deepEqual(streamed.chunks, ['1\n', '2\n', '3\n', '4\n', '5\n']);
  assert.equal(css.body, styleCss);
  assert.equal(json.body, '{"message":"Hello, world!"}');
  assert.equal(head.status, 200);
  assert.equal(afterHead.body, 'Hello, world!');
});

test('sse() sends server-sent events', async () => {
  const response = await fetch(server.url('/events'), { headers: { accept: 'text/event-stream' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  assert.equal(response.headers.get('cache-control'), 'no-cache');
  assert.equal(response.headers.get('x-accel-buffering'), 'no');
  // Read as a browser's EventSource would: incrementally, dispatching on blank lines.
  const decoder = new TextDecoder();
  let text = '';
  for await (const piece of response.body) text += decoder.decode(piece, { stream: true });
  text += decoder.decode();
  assert.deepEqual(parseEventStream(text), [1, 2, 3].map((n) => ({
    event: 'tick', id: String(n), data: `tick ${n}`, retry: undefined,
  })));
  assert.equal(text, [1, 2, 3].map((n) => `event: tick\nid: ${n}\ndata: tick ${n}\n\n`).join(''));

  // One event per chunk.
  const [raw] = await rawExchange(server.port, get('/events'), 1);
  assert.deepEqual(raw.chunks, [1, 2, 3].map((n) => `event: tick\nid: ${n}\ndata: tick ${n}\n\n`));
});

test('error() answers the status with its reason phrase, or the message', async () => {
  const teapot = await fetch(server.url('/error'));
  assert.equal(teapot.status, 418);
  assert.equal(teapot.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await teapot.text(), "I'm a teapot");

  const viaCurl = await curl([server.url('/error')]);
  assert.equal(viaCurl.status, 418);
  assert.equal(viaCurl.reason, "I'm a teapot");

  const message = await fetch(server.url('/error-message'));
  assert.equal(message.status, 400);
  assert.equal(message.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await message.text(), 'Name is required');
});

test('custom_response() sets status, type and extra headers', async () => {
  const response = await fetch(server.url('/custom'));
  assert.equal(response.status, 201);
  assert.equal(response.headers.get('content-type'), 'text/csv');
  assert.equal(response.headers.get('x-rows'), '1');
  assert.equal(await response.text(), 'a,b\n1,2\n');

  const viaCurl = await curl([server.url('/custom')]);
  assert.equal(viaCurl.status, 201);
  assert.equal(viaCurl.reason, 'Created');
  assert.equal(header(viaCurl, 'x-rows'), '1');
  assert.equal(viaCurl.body, 'a,b\n1,2\n');
});

test('set_cookie() writes one Set-Cookie with every attribute', async () => {
  const response = await fetch(server.url('/cookie'));
  assert.equal(response.status, 200);
  assert.deepEqual(response.headers.getSetCookie(),
    ['theme=dark; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax']);
  assert.equal(await response.text(), 'cookie set');

  // curl's cookie engine accepts it: HttpOnly, host-only, path /, not Secure, an hour to live.
  const before = Math.floor(Date.now() / 1000);
  const viaCurl = await curl(['-c', '-', server.url('/cookie')]);
  const jar = /^#HttpOnly_127\.0\.0\.1\tFALSE\t\/\tFALSE\t(\d+)\ttheme\tdark$/m.exec(viaCurl.body);
  assert.ok(jar, `curl's cookie jar:\n${viaCurl.body}`);
  const expires = Number(jar[1]);
  assert.ok(expires >= before + 3600 && expires <= Math.ceil(Date.now() / 1000) + 3600,
    `expires ${expires}, expected about ${before + 3600}`);
});

test('a coroutine route that sleeps and offloads answers {"answer":42}', async () => {
  const answers = await Promise.all(Array.from({ length: 8 }, async () => {
    const response = await fetch(server.url('/slow'));
    assert.equal(response.headers.get('content-type'), 'application/json');
    return [response.status, await response.text()];
  }));
  assert.deepEqual(answers, Array(8).fill([200, '{"answer":42}']));

  // Pipelined behind a slow answer, a fast one still comes second.
  const [slow, fast] = await rawExchange(server.port, get('/slow') + get('/text'), 2);
  assert.equal(slow.body, '{"answer":42}');
  assert.equal(fast.body, 'Hello, world!');
});

test('a route that throws is 500 "Internal Server Error" and the server goes on', async () => {
  throwsRequested += 1;
  const response = await fetch(server.url('/throw'));
  assert.equal(response.status, 500);
  assert.equal(response.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await response.text(), 'Internal Server Error');

  // Same connection, right after: still served.
  const connection = await RawConnection.open(server.port);
  try {
    throwsRequested += 1;
    connection.write(get('/throw') + get('/json'));
    const [failed, next] = await connection.responses(2);
    assert.equal(failed.status, 500);
    assert.equal(next.status, 200);
    assert.equal(next.body, '{"message":"Hello, world!"}');
  } finally {
    connection.destroy();
  }
  const afterwards = await fetch(server.url('/text'));
  assert.equal(await afterwards.text(), 'Hello, world!');
  await server.waitForLine(/Error in GET \/throw/);
});

test('/public/ serves files from ./public with their type', async () => {
  const response = await fetch(server.url('/public/style.css'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.match(response.headers.get('etag'), /^"[!#-~]+"$/);
  assert.equal(await response.text(), styleCss);

  const head = await curl(['-I', server.url('/public/style.css')]);
  assert.equal(head.status, 200);
  assert.equal(header(head, 'content-length'), String(Buffer.byteLength(styleCss)));
  assert.equal(head.body, '');

  const missing = await fetch(server.url('/public/missing.css'));
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), 'Not Found');
});

test('/public/ never leaves its folder', async () => {
  // fetch would normalise these paths away, so they go out as written: curl --path-as-is and a
  // raw socket.
  for (const target of ['/public/../main.cpp', '/public/%2e%2e/main.cpp', '/public/..%2fmain.cpp',
    '/public/%2E%2E/%2E%2E/CMakeLists.txt', '/public/./../hello.txt']) {
    const viaCurl = await curl(['--path-as-is', server.url(target)]);
    assert.equal(viaCurl.status, 404, target);
    assert.equal(viaCurl.body, 'Not Found', target);
    const [raw] = await rawExchange(server.port, get(target), 1);
    assert.equal(raw.status, 404, target);
    assert.equal(raw.body, 'Not Found', target);
  }
});

test('SIGTERM drains: an in-flight stream finishes, then exit code 0; the throw logged once per request', async () => {
  const connection = await RawConnection.open(server.port);
  let stopping;
  try {
    connection.write(get('/stream'));
    await connection.until(() => (connection.buffer.includes('\r\n1\n\r\n') ? true : undefined), 'the first chunk');
    stopping = server.stop();
    const [streamed] = await connection.responses(1);
    assert.deepEqual(streamed.chunks, ['1\n', '2\n', '3\n', '4\n', '5\n']);
    assert.equal(await connection.closed(), '', 'the server closes the drained connection');
  } finally {
    connection.destroy();
  }
  await stopping;
  const errors = server.lines().filter((line) => line.includes('Error'));
  assert.equal(errors.length, throwsRequested, `error lines:\n${errors.join('\n')}`);
  for (const line of errors) {
    assert.equal(assertLogLine(line, startedAt, new Date()), 'Error in GET /throw: something broke');
  }
  assert.equal(server.stderr, '');
});
