#pragma once
// router::ws: a WebSocket endpoint written as a route, so that it can sit in a group and run
// the group's middleware (an upgrade is a request like any other) and carry its options:
//   {.path = "/rooms", .middlewares = {require_token},
//    .routes = {router::ws<Member>("/live", {.open = ..., .message = ...})}}

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "pulsarcpp/detail/websocket_endpoint.hpp"
#include "pulsarcpp/router.hpp"

namespace pulsarcpp::router {

/// The endpoint answers GET upgrades on `path` (joined to its groups' prefixes; the
/// behavior's own `path` is not used). `T` is the data each socket carries.
template <class T = std::monostate>
Route ws(std::string path, WebSocketBehavior<T> behavior) {
  behavior.path = path;
  Route route{.method = "GET", .path = std::move(path)};
  route.websocket = std::make_shared<detail::TypedWsEndpoint<T>>(std::move(behavior));
  return route;
}

}  // namespace pulsarcpp::router
