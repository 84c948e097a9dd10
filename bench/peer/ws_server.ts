// The WebSocket benchmark peer: Bun + Pulsar, written as a Pulsar user writes it (start() with
// the `websocket` option, which Pulsar hands to Bun.serve). The twin of
// bench/ws_bench_server/main.cpp, so bench/run_ws compares like with like. One endpoint, /ws,
// whose behaviour the query's `role` picks:
//
//   (none)     echo: every message comes back to its sender, text as text, binary as binary
//   role=sub   subscribes to the topic "fanout" on open
//   role=pub   publishes every message to "fanout" (publish skips the sender)
//   role=all   both
//
//   PORT       port to listen on (Pulsar's default 3000 when unset)

import { start, router, text } from "@pulsar-http/core";

type Role = "echo" | "sub" | "pub" | "all";

const port = Number(process.env.PORT ?? 3000);
const topic = "fanout";

function roleOf(req: Request): Role {
  const role = new URL(req.url).searchParams.get("role");
  return role === "sub" || role === "pub" || role === "all" ? role : "echo";
}

start<Role>({
  port,
  routes: [router.get("/", async () => text("WebSocket benchmark on /ws"))],
  websocket: {
    open(ws) {
      if (ws.data === "sub" || ws.data === "all") ws.subscribe(topic);
    },
    message(ws, message) {
      if (ws.data === "echo") {
        ws.send(message);
      } else if (ws.data !== "sub") {
        ws.publish(topic, message);
      }
    },
    options: {
      upgrade: async (req) => ({ data: roleOf(req) }),
    },
  },
});
