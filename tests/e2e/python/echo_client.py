"""An independent client for the end-to-end tests: Python's `websockets` (Debian's
python3-websockets) talks to examples/websocket_echo and prints one JSON object per check on
stdout, which websocket_interop.test.mjs asserts. Run with Debian's /usr/bin/python3.

usage: echo_client.py URL echo|too-big [--compress]
"""

import asyncio
import hashlib
import json
import os
import sys

import websockets


def report(check, **fields):
    print(json.dumps({"check": check, **fields}), flush=True)


def digest(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


async def echo(url, compress):
    async with websockets.connect(
        url,
        compression="deflate" if compress else None,
        max_size=8 * 1024 * 1024,
        open_timeout=10,
        close_timeout=10,
    ) as ws:
        report("handshake", extensions=ws.response_headers.get("Sec-WebSocket-Extensions"))

        text = "Hello from Python, κόσμε 𝄞"
        await ws.send(text)
        reply = await asyncio.wait_for(ws.recv(), 10)
        report("text", type=type(reply).__name__, equal=reply == text, reply=reply)

        binary = bytes(range(256)) * 4
        await ws.send(binary)
        reply = await asyncio.wait_for(ws.recv(), 10)
        report("binary", type=type(reply).__name__, equal=reply == binary, size=len(reply))

        large = os.urandom(3 * 1024 * 1024)
        await ws.send(large)
        reply = await asyncio.wait_for(ws.recv(), 20)
        report("large", size=len(reply), sent=digest(large), received=digest(reply))

        fragments = ["frag", "mented ", "text"]
        await ws.send(iter(fragments))
        reply = await asyncio.wait_for(ws.recv(), 10)
        report("fragmented", reply=reply)

        pong = await ws.ping(b"python-ping")
        latency = await asyncio.wait_for(pong, 10)
        report("ping", answered=True, latency_is_number=isinstance(latency, float) or latency is None)

        await ws.close(code=4001, reason="python says bye")
        report("close", code=ws.close_code, reason=ws.close_reason)


async def too_big(url, compress):
    async with websockets.connect(
        url, compression="deflate" if compress else None, open_timeout=10, close_timeout=10
    ) as ws:
        await ws.send("x" * 2000)
        try:
            await asyncio.wait_for(ws.recv(), 10)
            report("too-big", closed=False)
        except websockets.exceptions.ConnectionClosed as closed:
            received = closed.rcvd
            report("too-big", closed=True, code=received.code if received else None,
                   reason=received.reason if received else None)


def main():
    url, mode = sys.argv[1], sys.argv[2]
    compress = "--compress" in sys.argv[3:]
    asyncio.run({"echo": echo, "too-big": too_big}[mode](url, compress))


if __name__ == "__main__":
    main()
