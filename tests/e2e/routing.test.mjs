// examples/routing: every verb, path parameters (decoded), a wildcard, nested groups, query
// parameters, a JSON body, an `all` route, and Pulsar's tolerance of trailing and double slashes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { curl, get, header, RawConnection, rawExchange } from './lib/http.mjs';
import { startExample } from './lib/server.mjs';

let server;

before(async () => {
  server = await startExample('routing');
});

after(async () => {
  await server?.stop();
});

async function fetchJson(path, init) {
  const response = await fetch(server.url(path), init);
  assert.equal(response.headers.get('content-type'), 'application/json', `content type of ${path}`);
  return { status: response.status, body: await response.json() };
}

test('GET / is the text route', async () => {
  const response = await fetch(server.url('/'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain');
  assert.equal(await response.text(), 'Routing example');
});

test('GET /api/users lists users; ?limit=2 keeps the first two', async () => {
  assert.deepEqual(await fetchJson('/api/users'), { status: 200, body: [{ id: 1 }, { id: 2 }, { id: 3 }] });
  assert.deepEqual(await fetchJson('/api/users?limit=2'), { status: 200, body: [{ id: 1 }, { id: 2 }] });
  assert.deepEqual(await fetchJson('/api/users?limit=0'), { status: 200, body: [] });
  const viaCurl = await curl([server.url('/api/users?limit=1')]);
  assert.equal(viaCurl.status, 200);
  assert.equal(viaCurl.body, '[{"id":1}]');
});

test('a limit that is not a number is the client\'s mistake: 400, not 500', async () => {
  const response = await fetch(server.url('/api/users?limit=abc'));
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await response.text(), 'limit must be a non-negative integer');
  for (const limit of ['-1', '2x', '99999999999999999999', '']) {
    const bad = await fetch(server.url(`/api/users?limit=${limit}`));
    assert.equal(bad.status, 400, `limit=${limit}`);
    await bad.arrayBuffer();
  }
});

test('path parameters, one and two, are matched and decoded', async () => {
  assert.deepEqual(await fetchJson('/api/users/42'), { status: 200, body: { id: '42' } });
  assert.deepEqual(await fetchJson('/api/users/7/posts/9'), { status: 200, body: { user: '7', post: '9' } });
  // Percent-encoded parameters are decoded (Pulsar leaves them encoded); '+' is not a space in
  // a path, and an encoded slash stays inside the one segment.
  assert.deepEqual(await fetchJson('/api/users/J%C3%BCrgen%20X'), { status: 200, body: { id: 'Jürgen X' } });
  assert.deepEqual(await fetchJson('/api/users/a%2Fb'), { status: 200, body: { id: 'a/b' } });
  assert.deepEqual(await fetchJson('/api/users/a+b'), { status: 200, body: { id: 'a+b' } });
  const viaCurl = await curl([server.url('/api/users/ada%20lovelace/posts/%31')]);
  assert.equal(viaCurl.status, 200);
  assert.equal(viaCurl.body, '{"post":"1","user":"ada lovelace"}');
});

test('a parameter with a malformed percent-escape is 400, not passed through', async () => {
  const response = await curl([server.url('/api/users/%zz')]);
  assert.equal(response.status, 400);
  assert.equal(response.body, 'Malformed percent-encoding in path');
});

test('nested groups flatten to /api/v2/users', async () => {
  assert.deepEqual(await fetchJson('/api/v2/users/7'), { status: 200, body: { id: '7' } });
  assert.deepEqual(await fetchJson('/api/v2/users?limit=1'), { status: 200, body: [{ id: 1 }] });
  assert.deepEqual(await fetchJson('/api/v2/users/3/posts/4'), { status: 200, body: { user: '3', post: '4' } });
  assert.deepEqual(await fetchJson('/api/v2/users/5', { method: 'PATCH' }),
    { status: 200, body: { method: 'PATCH', path: '/api/v2/users/5' } });
  const missing = await fetch(server.url('/api/v2'));
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), 'Not Found');
});

test('the wildcard takes the rest of the path, decoded', async () => {
  const response = await fetch(server.url('/files/a/b/c.txt'));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain');
  assert.equal(await response.text(), 'a/b/c.txt');
  const viaCurl = await curl([server.url('/files/docs/read%20me.md')]);
  assert.equal(viaCurl.status, 200);
  assert.equal(viaCurl.body, 'docs/read me.md');
});

test('every verb reaches its route', async () => {
  assert.deepEqual(await fetchJson('/api/users/3', { method: 'PUT', body: '{}' }),
    { status: 200, body: { method: 'PUT', path: '/api/users/3' } });
  assert.deepEqual(await fetchJson('/api/users/3', { method: 'PATCH', body: '{}' }),
    { status: 200, body: { method: 'PATCH', path: '/api/users/3' } });

  const deleted = await fetch(server.url('/api/users/3'), { method: 'DELETE' });
  assert.equal(deleted.status, 204);
  assert.equal(await deleted.text(), '');

  const options = await curl(['-X', 'OPTIONS', server.url('/api/users')]);
  assert.equal(options.status, 204);
  assert.equal(header(options, 'allow'), 'GET, POST, OPTIONS');
  assert.equal(options.body, '');

  // HEAD falls back to GET, without the body (Pulsar has no HEAD).
  const head = await curl(['-I', server.url('/api/users/5')]);
  assert.equal(head.status, 200);
  assert.equal(header(head, 'content-type'), 'application/json');
  assert.equal(header(head, 'content-length'), String('{"id":"5"}'.length));
  assert.equal(head.body, '');

  // 204 carries neither a body nor Content-Length on the wire; the next answer parses cleanly.
  const [noContent, next] = await rawExchange(server.port,
    'DELETE /api/users/9 HTTP/1.1\r\nHost: x\r\n\r\n' + get('/api/users/9'), 2);
  assert.equal(noContent.status, 204);
  assert.equal(header(noContent, 'content-length'), undefined);
  assert.equal(next.body, '{"id":"9"}');
});

test('a method the path does not have is 405 with the allowed ones', async () => {
  const response = await fetch(server.url('/api/users'), { method: 'DELETE' });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
  assert.equal(await response.text(), 'Method Not Allowed');
});

test('POST JSON creates: 201 with the body echoed', async () => {
  const created = await fetchJson('/api/users', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada', tags: ['math', 'é'] }),
  });
  assert.deepEqual(created, { status: 201, body: { created: { name: 'Ada', tags: ['math', 'é'] } } });

  const viaCurl = await curl(['-X', 'POST', '-H', 'content-type: application/json', '--data-binary',
    '{"name":"Grace"}', server.url('/api/v2/users')]);
  assert.equal(viaCurl.status, 201);
  assert.equal(viaCurl.reason, 'Created');
  assert.equal(viaCurl.body, '{"created":{"name":"Grace"}}');

  // A larger body: curl asks with Expect: 100-continue and waits for the interim answer.
  const names = Array.from({ length: 300 }, (_, i) => `user-${i}`);
  const large = await curl(['-X', 'POST', '-H', 'content-type: application/json', '--expect100-timeout', '10',
    '--data-binary', JSON.stringify({ names }), server.url('/api/users')]);
  assert.equal(large.status, 201);
  assert.deepEqual(JSON.parse(large.body), { created: { names } });

  // The same on the wire: nothing but the interim answer until the body is sent.
  const connection = await RawConnection.open(server.port);
  try {
    const body = '{"name":"Edsger"}';
    connection.write('POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Expect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n';
    await connection.until(() => (connection.buffer.length >= interim.length ? true : undefined), '100 Continue');
    assert.equal(connection.buffer.toString('latin1'), interim);
    connection.buffer = connection.buffer.subarray(interim.length);
    connection.write(body);
    const createdRaw = await connection.response();
    assert.equal(createdRaw.status, 201);
    assert.equal(createdRaw.body, '{"created":{"name":"Edsger"}}');
  } finally {
    connection.destroy();
  }

  // A chunked request body is read as well.
  const [chunked] = await rawExchange(server.port, 'POST /api/users HTTP/1.1\r\nHost: x\r\n' +
    'Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n' +
    '6\r\n{"id":\r\n2\r\n7}\r\n0\r\n\r\n');
  assert.equal(chunked.status, 201);
  assert.equal(chunked.body, '{"created":{"id":7}}');
});

test('POST with a body that is not JSON is 400', async () => {
  const response = await fetch(server.url('/api/users'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name": ',
  });
  assert.equal(response.status, 400);
  assert.equal(response.headers.get('content-type'), 'text/plain;charset=utf-8');
  assert.equal(await response.text(), 'Invalid JSON body');

  const empty = await curl(['-X', 'POST', server.url('/api/users')]);
  assert.equal(empty.status, 400);
  assert.equal(empty.body, 'Invalid JSON body');
});

test('the `all` route answers any method, unusual ones included', async () => {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
    assert.deepEqual(await fetchJson('/any', { method, body: method === 'GET' ? undefined : 'x' }),
      { status: 200, body: { method, path: '/any' } });
  }
  const propfind = await curl(['-X', 'PROPFIND', server.url('/any')]);
  assert.equal(propfind.status, 200);
  assert.equal(propfind.body, '{"method":"PROPFIND","path":"/any"}');

  const [mkcol, brew] = await rawExchange(server.port,
    'MKCOL /any HTTP/1.1\r\nHost: x\r\n\r\nBREW /any HTTP/1.1\r\nHost: x\r\n\r\n', 2);
  assert.equal(mkcol.body, '{"method":"MKCOL","path":"/any"}');
  assert.equal(brew.body, '{"method":"BREW","path":"/any"}');
});

test('trailing and double slashes are ignored', async () => {
  assert.deepEqual(await fetchJson('/api/users/'), { status: 200, body: [{ id: 1 }, { id: 2 }, { id: 3 }] });
  assert.deepEqual(await fetchJson('/api/users/7/'), { status: 200, body: { id: '7' } });

  const viaCurl = await curl(['--path-as-is', server.url('//api//users//7/')]);
  assert.equal(viaCurl.status, 200);
  assert.equal(viaCurl.body, '{"id":"7"}');

  const [double, trailing] = await rawExchange(server.port,
    get('//api///v2//users/8//posts/2') + get('/files/x/y/'), 2);
  assert.equal(double.status, 200);
  assert.equal(double.body, '{"post":"2","user":"8"}');
  // The path everyone sees is the normal one: the wildcard's rest too has no trailing slash.
  assert.equal(trailing.status, 200);
  assert.equal(trailing.body, 'x/y');
});

test('paths are case-sensitive and unmatched ones are 404', async () => {
  for (const path of ['/Api/users', '/api/users/7/posts', '/api/users/7/posts/9/x', '/nothing']) {
    const response = await fetch(server.url(path));
    assert.equal(response.status, 404, path);
    assert.equal(await response.text(), 'Not Found');
  }
});

test('SIGTERM stops the server gracefully: exit code 0', async () => {
  await server.stop();
  assert.equal(server.stderr, '');
});
