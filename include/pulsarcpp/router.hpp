#pragma once
// Routes and groups, as Pulsar writes them:
//   .routes = {router::get("/", hello),
//              {.path = "/api", .routes = {router::get("/users/:id", user)},
//               .middlewares = {require_token}}}
// Patterns: static segments, ":name" for one segment, "*" as the last segment for the rest.
// Patterns and request paths are matched in one normal form (see Context::path()): trailing
// and repeated slashes are ignored. Static beats ":param" beats "*".

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pulsarcpp/handler.hpp"
#include "pulsarcpp/middleware.hpp"
#include "pulsarcpp/route_options.hpp"

namespace pulsarcpp {

namespace detail {
class WsEndpoint;
}

struct Route {
  /// "GET", "POST", ..., or "ALL" for every method. Empty for a group.
  std::string method = {};
  /// The pattern, or a group's prefix.
  std::string path = {};
  Handler handler = {};
  /// A group's routes (nested to any depth); their paths are appended to `path`.
  std::vector<Route> routes = {};
  /// Middleware for this route, or for every route and WebSocket endpoint of this group: it
  /// runs after the global middlewares, outermost group first, then the route's own.
  std::vector<Middleware> middlewares = {};
  /// Typed values for middleware and plugins, read back through ctx.route(); a group's are
  /// inherited by its routes (see with()).
  RouteOptions options = {};
  /// Set by router::ws: a WebSocket endpoint on this path instead of a handler.
  std::shared_ptr<const detail::WsEndpoint> websocket = {};

  /// Attaches a typed option (replacing one of the same type) and returns the route:
  ///   router::post("/rooms", create).with(RateLimit{...})
  template <class T>
  Route with(T option) && {
    options.set(std::move(option));
    return std::move(*this);
  }
  /// Adds a middleware of this route's (or group's) own and returns the route.
  Route use(Middleware middleware) && {
    middlewares.push_back(std::move(middleware));
    return std::move(*this);
  }
};

/// A route as the app compiled it: what ctx.route() returns.
struct RouteInfo {
  /// "GET", "POST", ..., "ALL"; "GET" for a WebSocket endpoint.
  std::string method;
  /// The whole pattern, group prefixes joined, in normal form: "/api/users/:id".
  std::string pattern;
  /// The route's options on top of its groups', outermost first.
  RouteOptions options;
  /// A WebSocket endpoint's path rather than a handler's.
  bool websocket = false;

  /// The option of type T (the innermost one), or nullptr.
  template <class T>
  const T* get() const noexcept {
    return options.get<T>();
  }
};

/// A group: `group("/api", {...})` is the same as `{.path = "/api", .routes = {...}}`.
Route group(std::string prefix, std::vector<Route> routes);

namespace router {
Route get(std::string path, Handler handler);
Route post(std::string path, Handler handler);
Route put(std::string path, Handler handler);
/// Pulsar's `router.delete` (`delete` is a C++ keyword).
Route del(std::string path, Handler handler);
Route patch(std::string path, Handler handler);
Route options(std::string path, Handler handler);
Route head(std::string path, Handler handler);
/// Matches every method, including ones the router does not know (PROPFIND, ...).
Route all(std::string path, Handler handler);
}  // namespace router

}  // namespace pulsarcpp
