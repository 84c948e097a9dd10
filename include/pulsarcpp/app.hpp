#pragma once
// App: the routes and middleware without a socket, for unit tests (like Pulsar's
// handleRoutes(routes)(request) or Crow's handle_full).
//   App app({.routes = {...}});
//   Response r = app.handle({.method = "GET", .target = "/users/42"});

#include <memory>
#include <string>

#include "pulsarcpp/options.hpp"
#include "pulsarcpp/server.hpp"
#include "pulsarcpp/response.hpp"

namespace pulsarcpp {

struct TestRequest {
  std::string method = "GET";
  std::string target = "/";
  Headers headers = {};
  std::string body = {};
  std::string remote_address = "127.0.0.1";
};

class App {
 public:
  /// Compiles the routes; throws StartError for a duplicate route or a bad pattern.
  template <class T>
  explicit App(BasicOptions<T> options) : App(detail::to_config(std::move(options))) {}
  /// The same for plain Options: a braced `App({.routes = ...})` cannot deduce T.
  explicit App(Options options) : App(detail::to_config(std::move(options))) {}
  explicit App(detail::ServerConfig config);
  ~App();
  App(App&&) noexcept;
  App& operator=(App&&) noexcept;

  /// Runs the request through middleware and routes, driving coroutines (offload, sleep_for)
  /// to completion, and returns the response as a client reads it: written by the server's
  /// own response code (the head with Content-Length or Transfer-Encoding, Date and Connection;
  /// files with 304/206/416/404 applied; streams to their end; no body for HEAD, 204 or 304)
  /// and read back, the body dechunked. The request is parsed as on the wire, so malformed
  /// ones get the server's 4xx answer. A WebSocket upgrade answers 101 with its headers
  /// (can_upgrade and upgrade ran); no socket is opened.
  Response handle(const TestRequest& request);
  /// The same answer as the bytes a client receives, head and body as sent (chunked stays
  /// chunked).
  std::string handle_bytes(const TestRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pulsarcpp
