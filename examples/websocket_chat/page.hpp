#pragma once
// The chat page: plain HTML and JavaScript, no build step.

#include <string_view>

inline constexpr std::string_view kChatPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pulsar chat</title>
<style>
  body { font: 16px system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  #messages { list-style: none; padding: 0; border: 1px solid #ccc; border-radius: 6px;
              height: 20rem; overflow-y: auto; }
  #messages li { padding: .3rem .6rem; border-bottom: 1px solid #eee; }
  form { display: flex; gap: .5rem; margin-top: .5rem; }
  #text { flex: 1; padding: .4rem; }
  #status { color: #666; font-size: .9rem; }
</style>
</head>
<body>
<h1>Chat</h1>
<p id="status">Connecting…</p>
<ul id="messages"></ul>
<form id="send">
  <input id="text" autocomplete="off" placeholder="Say something" disabled>
  <button id="button" disabled>Send</button>
</form>
<script>
  const params = new URLSearchParams(location.search);
  const name = params.get('name') || '';
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (name) url.searchParams.set('name', name);
  const socket = new WebSocket(url);
  const list = document.getElementById('messages');
  const input = document.getElementById('text');
  const button = document.getElementById('button');
  const status = document.getElementById('status');
  function show(text) {
    const item = document.createElement('li');
    item.textContent = text;
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }
  socket.addEventListener('open', () => {
    status.textContent = 'Connected as ' + (name || 'Someone');
    input.disabled = button.disabled = false;
    input.focus();
  });
  socket.addEventListener('message', (event) => show(event.data));
  socket.addEventListener('close', () => {
    status.textContent = 'Disconnected';
    input.disabled = button.disabled = true;
  });
  document.getElementById('send').addEventListener('submit', (event) => {
    event.preventDefault();
    if (!input.value) return;
    socket.send(input.value);
    input.value = '';
  });
</script>
</body>
</html>
)HTML";
