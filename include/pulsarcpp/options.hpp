#pragma once
// Options for start() and Server, field for field Pulsar's start({...}) plus the limits a
// production server needs. Every field has a default; write only what differs.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pulsarcpp/middleware.hpp"
#include "pulsarcpp/router.hpp"
#include "pulsarcpp/websocket.hpp"

namespace pulsarcpp {

struct Limits {
  /// Request line + header section, in bytes. Over it: 431 (414 when the line alone is).
  std::size_t max_head_bytes = 16 * 1024;
  /// Header fields per request. Over it: 431.
  std::size_t max_header_count = 100;
  /// Request body, in bytes (after dechunking). Over it: 413.
  std::size_t max_body_bytes = 1024 * 1024;
  /// Time allowed for a request (head and body) to arrive once it has begun. Over it: 408 and
  /// close (the slowloris defence).
  std::chrono::milliseconds request_timeout{10'000};
  /// Time an idle keep-alive connection is kept open between requests.
  std::chrono::milliseconds idle_timeout{10'000};
  /// Open connections across all threads; further ones are accepted and closed at once.
  std::size_t max_connections = 100'000;
};

/// `T` is the type of the data each WebSocket carries (what upgrade() returns); servers
/// without WebSockets use Options = BasicOptions<>.
template <class T = std::monostate>
struct BasicOptions {
  /// TCP port. Unset: the PORT environment variable, else 3000. 0 picks a free port (see
  /// Server::port()).
  std::optional<std::uint16_t> port = std::nullopt;
  /// Address to listen on ("0.0.0.0" all IPv4, "::" all IPv6 and IPv4, "127.0.0.1" loopback).
  std::string hostname = "0.0.0.0";
  std::vector<Route> routes = {};
  std::vector<Middleware> middlewares = {};
  /// The WebSocket endpoint (Pulsar's `websocket`, on /ws unless its path says otherwise);
  /// active when it has an open, message or close handler.
  WebSocketBehavior<T> websocket = {};
  /// More endpoints, each on its own path.
  std::vector<WebSocketBehavior<T>> websockets = {};
  /// Event loop threads. 0: the CPUs this process may run on (sched_getaffinity), which honours
  /// taskset and container CPU sets.
  unsigned threads = 0;
  /// Threads for offload(). 0: as many as loop threads, at least 2.
  unsigned worker_threads = 0;
  Limits limits = {};
  /// Folder served under /public/ (GET /public/a.css -> <public_dir>/a.css) when no route
  /// matches, as Pulsar serves ./public. Empty disables it. Request paths cannot leave the
  /// folder ("..", encoded or not, is refused); symbolic links placed inside it are followed, as
  /// nginx and Bun's static serving do, so link only what may be served. Only regular files are
  /// sent.
  std::string public_dir = "public";
  /// How long stop() waits for in-flight requests and streams before closing them.
  std::chrono::milliseconds shutdown_timeout{10'000};
  /// The body of the library's own answers (404, 405, 400/413/431 for a malformed or too large
  /// request, 408, 500 for a throw, an HttpError, 426/403 for a refused upgrade): text, as
  /// Pulsar, or JSON ({"error": "Not Found", "status": 404}) for an API.
  ErrorFormat error_format = ErrorFormat::text;
};

using Options = BasicOptions<>;

namespace detail {
class WsEndpoint;

/// Options with the WebSocket endpoints type-erased: what Server and App are built from.
struct ServerConfig {
  Options http;
  std::vector<std::shared_ptr<const WsEndpoint>> endpoints;
};

template <class T>
ServerConfig to_config(BasicOptions<T>&& options);
}  // namespace detail

}  // namespace pulsarcpp
