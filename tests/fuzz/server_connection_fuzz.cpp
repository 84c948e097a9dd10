// libFuzzer target for the connections: arbitrary client bytes sent over a real socket to a
// running Server, so the HTTP connection (keep-alive, pipelining, bodies, Expect, streamed
// answers, coroutine handlers, the upgrade) and the WebSocket connection after it (echo, and
// pub/sub) see what a hostile client can send. Beyond crashes and sanitizer reports it traps when
// the server does not end the connection after the client has ended its side, when it resets it
// (except after its WebSocket close frame, see below), and when what it sent is not a well-formed
// sequence of HTTP/1.1 responses (then, after a 101, of server WebSocket frames). The server
// runs two loops, and clients that stay subscribed to the pub/sub endpoint's topic the whole run,
// on both loops, receive and check what the inputs publish, across loops too; after each input a
// marker published behind its messages must reach all of them, so a finding names its input.
//
// Input: the first byte is the size of the pieces the rest is written in (0: one write), so
// the server also meets requests and frames that arrive in parts.

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "pulsarcpp/pulsarcpp.hpp"
#include "server_connection/check.hpp"
#include "server_connection/client.hpp"
#include "server_connection/response_checker.hpp"
#include "server_connection/topic_subscribers.hpp"

namespace {

using namespace pulsarcpp;
using namespace connection_fuzz;
using namespace std::chrono_literals;
using WS = WebSocket<std::monostate>;

AsyncGenerator<std::string> three_parts() {
  for (int i = 1; i <= 3; ++i) co_yield "part " + std::to_string(i) + "\n";
}

AsyncGenerator<SseEvent> two_events() {
  for (int i = 1; i <= 2; ++i) {
    SseEvent event{.data = "event " + std::to_string(i), .id = std::to_string(i)};
    co_yield std::move(event);
  }
}

// A route for each kind of answer, so every way of writing a response meets every input.
std::vector<Route> routes() {
  return {
      router::get("/",
                  [](Context&) {
                    return json({{"message", "Hello, world!"}});
                  }),
      // Prefixed so no body starts like a status line (see ResponseChecker::body_follows).
      router::post("/echo", [](Context& ctx) { return text("echo:" + std::string(ctx.body())); }),
      router::post("/json", [](Context& ctx) { return json(ctx.json()); }),
      router::get("/users/:id",
                  [](Context& ctx) {
                    return json({{"id", ctx.param("id")}});
                  }),
      router::get("/stream", [](Context&) { return stream(three_parts()); }),
      router::get("/events", [](Context&) { return sse(two_events()); }),
      router::get("/throw", [](Context&) -> Response { throw std::runtime_error("fuzz"); }),
      router::get("/slow",
                  [](Context&) -> Task<Response> {
                    co_await sleep_for(1ms);
                    co_return text("slow");
                  }),
      router::all("/redirect", [](Context&) { return redirect("/"); }),
      // As text when it may be (WebSocket text must be UTF-8), else as binary.
      router::post("/publish",
                   [](Context& ctx) {
                     Server& server = *ctx.server();
                     const std::string_view body = ctx.body();
                     return text(std::to_string(is_valid_utf8(body)
                                                    ? server.publish("room", body)
                                                    : server.publish_binary("room", body)));
                   }),
  };
}

Middleware answering_middleware() {
  return [](Context& ctx, Next next) -> Task<Response> {
    if (ctx.header("x-stop") == "yes") co_return error(429);
    ctx.add_response_header("X-Seen", "yes");
    co_return co_await next();
  };
}

WebSocketBehavior<std::monostate> echo_endpoint(std::string path, bool deflate) {
  return {
      .path = std::move(path),
      .message =
          [](WS& ws, Message m) {
            // Compressed where the client agreed to it, to write deflated frames too.
            m.binary ? ws.send_binary(m.data, true) : ws.send_text(m.data, true);
          },
      .max_payload_length = 1024,
      .per_message_deflate = {.enabled = deflate},
      .subprotocols = {"chat"},
  };
}

// The loop threads that have opened a pub/sub connection: a publish crosses loops only when
// the subscribers sit on both.
class LoopThreads {
 public:
  void add_this_thread() {
    std::lock_guard lock(mutex_);
    ids_.insert(std::this_thread::get_id());
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return ids_.size();
  }

 private:
  std::mutex mutex_;
  std::set<std::thread::id> ids_;
};

LoopThreads& pubsub_loops() {
  static LoopThreads loops;
  return loops;
}

// Pub/sub on one socket: it subscribes on open and publishes what it gets to itself too, framed
// (and compressed) once for the topic; "+" and "-" subscribe and unsubscribe.
WebSocketBehavior<std::monostate> pubsub_endpoint() {
  return {
      .path = "/wsp",
      .open =
          [](WS& ws) {
            pubsub_loops().add_this_thread();
            ws.subscribe("room");
          },
      .message =
          [](WS& ws, Message m) {
            if (m.data == "+") {
              ws.subscribe("room");
            } else if (m.data == "-") {
              ws.unsubscribe("room");
            } else {
              m.binary ? ws.publish_binary("room", m.data, true) : ws.publish("room", m.data, true);
            }
          },
      .max_payload_length = 1024,
      .publish_to_self = true,
      .per_message_deflate = {.enabled = true},
  };
}

std::string make_public_dir() {
  char pattern[] = "/tmp/pulsarcpp-fuzz-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  if (dir == nullptr) fail("mkdtemp");
  std::ofstream(std::string(dir) + "/a.txt") << std::string(100, 'a');
  return dir;
}

constexpr unsigned kLoops = 2;

// The server and the clients subscribed to its pub/sub topic for the whole run. Started once
// and never stopped: libFuzzer ends the process with exit().
struct Fixture {
  Server* server;
  TopicSubscribers* subscribers;
};

const Fixture& fixture() {
  static const Fixture started = [] {
    auto* server = new Server(Options{
        .port = 0,
        .hostname = "127.0.0.1",
        .routes = routes(),
        .middlewares = {answering_middleware()},
        .websocket = echo_endpoint("/ws", false),
        .websockets = {echo_endpoint("/wsz", true), pubsub_endpoint()},
        .threads = kLoops,  // so publishes cross loops
        .worker_threads = 1,
        // Small, so that inputs of a few KiB reach every limit.
        .limits = {.max_head_bytes = 1024, .max_header_count = 16, .max_body_bytes = 2048},
        .public_dir = make_public_dir(),
    });
    server->listen();
    auto on_every_loop = [] { return pubsub_loops().count() == kLoops; };
    return Fixture{server, &TopicSubscribers::start(*server, "/wsp", "room", 6, on_every_loop)};
  }();
  return started;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Fixture& f = fixture();
  const Answer answer = exchange(f.server->port(), input, piece);
  const bool sent_close_frame = ResponseChecker().check_all(answer.bytes);
  // Once both close frames have crossed, the server closes at once (RFC 6455 §7.1.1); bytes a
  // client sends after its own close frame, against §5.5.1, then meet a reset. Anywhere else a
  // reset could destroy an answer on its way.
  check(!answer.reset || sent_close_frame, "the server reset the connection");
  f.subscribers->sync(*f.server);
  return 0;
}
