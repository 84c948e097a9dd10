#!/usr/bin/env python3
"""H2's latency, which wrk cannot give for pipelined requests (wg/wrk#236).

Beside the H2 load, one more connection sends a batch of DEPTH pipelined `GET PATH` every
INTERVAL_MS and times each batch from its write to its last response. Every response must be a
200 of the same length as the first one (the benchmark's bodies and Date lines do not change
length), so a wrong or short answer stops the probe instead of being timed.

    pipeline_probe.py PORT SECONDS [DEPTH=16] [INTERVAL_MS=5] [PATH=/]

Prints one line: batches, then p50, p99 and max latency per batch in milliseconds.
"""

import socket
import sys
import time


def read_exactly(sock, size):
    chunks = []
    while size > 0:
        chunk = sock.recv(min(size, 1 << 16))
        if not chunk:
            raise SystemExit("pipeline_probe: the server closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def response_size(sock, request):
    """Sends one request and returns the size of its whole response."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("pipeline_probe: the server closed the connection")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit("pipeline_probe: not a 200: " + head.split(b"\r\n")[0].decode())
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    size = len(head) + 4 + length
    read_exactly(sock, size - len(head) - 4 - len(rest))
    return size


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    depth = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    interval = (float(sys.argv[4]) if len(sys.argv) > 4 else 5.0) / 1000
    path = sys.argv[5] if len(sys.argv) > 5 else "/"
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    # A server that stops answering fails the probe instead of hanging it.
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    size = response_size(sock, request)
    batch = request * depth
    latencies = []
    deadline = time.monotonic() + seconds
    next_send = time.monotonic()
    while time.monotonic() < deadline:
        start = time.perf_counter()
        sock.sendall(batch)
        data = read_exactly(sock, size * depth)
        latencies.append(time.perf_counter() - start)
        if data.count(b"HTTP/1.1 200 ") != depth:
            raise SystemExit("pipeline_probe: a response in the batch was not a 200")
        next_send += interval
        time.sleep(max(0.0, next_send - time.monotonic()))
    latencies.sort()
    print(f"{len(latencies)} {percentile(latencies, 0.5) * 1000:.3f} "
          f"{percentile(latencies, 0.99) * 1000:.3f} {latencies[-1] * 1000:.3f}")


if __name__ == "__main__":
    main()
