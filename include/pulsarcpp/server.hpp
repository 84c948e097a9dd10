#pragma once
// Server: a running instance of the app on a port. start() is the one-call form.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "pulsarcpp/detail/websocket_endpoint.hpp"
#include "pulsarcpp/options.hpp"

namespace pulsarcpp {

/// A configuration or start-up failure: a duplicate route, a bad pattern, a port in use.
class StartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Server;

namespace detail {
int start_server(ServerConfig config);
}

class Server {
 public:
  /// Validates the options and compiles the routes; throws StartError.
  template <class T>
  explicit Server(BasicOptions<T> options) : Server(detail::to_config(std::move(options))) {}
  /// The same for plain Options: a braced `Server({.routes = ...})` cannot deduce T.
  explicit Server(Options options) : Server(detail::to_config(std::move(options))) {}
  explicit Server(detail::ServerConfig config);
  ~Server();  // stops (gracefully) if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts the loop threads; returns once the server accepts connections.
  /// Throws StartError (port in use, bad hostname).
  void listen();
  /// The bound port (the chosen one when the options asked for 0).
  std::uint16_t port() const noexcept;
  /// Number of event loop threads.
  unsigned threads() const noexcept;
  /// Graceful stop: stop accepting, let in-flight requests finish (up to shutdown_timeout),
  /// close idle connections, join the threads. Idempotent; thread-safe.
  void stop();
  /// Blocks until the server has stopped.
  void wait();

  /// Sends a text (or binary) message to every WebSocket subscribed to `topic`, on every loop.
  /// Callable from any thread, HTTP handlers and WebSocket handlers included. Messages from one
  /// thread to one topic arrive in order. Returns the message size, or 0 when the topic has no
  /// subscriber (as Bun's server.publish). Text that is not valid UTF-8 throws
  /// std::invalid_argument and is not sent (RFC 6455 §5.6; publish it with publish_binary).
  std::size_t publish(std::string_view topic, std::string_view data, bool compress = false);
  std::size_t publish_binary(std::string_view topic, std::string_view data, bool compress = false);
  /// WebSockets subscribed to `topic`, across all loops. Callable from any thread.
  std::size_t subscriber_count(std::string_view topic) const;

  struct Impl;

 private:
  friend int detail::start_server(detail::ServerConfig config);
  std::unique_ptr<Impl> impl_;
};

namespace detail {
int start_server(ServerConfig config);
}

/// Pulsar's start(): listens (port from the options, else PORT, else 3000; loop threads from
/// the options, else THREADS, else one per CPU; a PORT or THREADS that is not a number in
/// range fails the start, never falls back), logs
/// "Server started on http://localhost:PORT", serves until SIGINT or SIGTERM, then stops
/// gracefully. Returns 0, or 1 after printing why it could not start.
int start(Options options);
/// start() for a server with WebSockets carrying a `T` each: start<Session>({...}).
template <class T>
int start(BasicOptions<T> options) {
  return detail::start_server(detail::to_config(std::move(options)));
}

/// The port start() uses when the options give none: PORT from the environment, else 3000.
/// Throws StartError when PORT is set to anything but a number from 0 to 65535.
std::uint16_t default_port();
/// The CPUs this process may run on (sched_getaffinity): the loop threads used when neither
/// the threads option nor the THREADS environment variable says otherwise.
unsigned available_cpus();

namespace detail {
template <class T>
ServerConfig to_config(BasicOptions<T>&& options) {
  ServerConfig config;
  Options& http = config.http;
  http.port = options.port;
  http.hostname = std::move(options.hostname);
  http.routes = std::move(options.routes);
  http.middlewares = std::move(options.middlewares);
  http.threads = options.threads;
  http.worker_threads = options.worker_threads;
  http.limits = options.limits;
  http.public_dir = std::move(options.public_dir);
  http.shutdown_timeout = options.shutdown_timeout;
  http.error_format = options.error_format;
  if (options.websocket.active()) {
    config.endpoints.push_back(
        std::make_shared<TypedWsEndpoint<T>>(std::move(options.websocket)));
  }
  for (auto& behavior : options.websockets) {
    config.endpoints.push_back(std::make_shared<TypedWsEndpoint<T>>(std::move(behavior)));
  }
  return config;
}
}  // namespace detail

}  // namespace pulsarcpp
