#pragma once
// Routes and groups, as Pulsar writes them:
//   .routes = {router::get("/", hello),
//              {.path = "/api", .routes = {router::get("/users/:id", user)}}}
// Patterns: static segments, ":name" for one segment, "*" as the last segment for the rest.
// Trailing and repeated slashes are ignored. Static beats ":param" beats "*".

#include <string>
#include <vector>

#include "pulsarcpp/handler.hpp"

namespace pulsarcpp {

struct Route {
  /// "GET", "POST", ..., or "ALL" for every method. Empty for a group.
  std::string method = {};
  /// The pattern, or a group's prefix.
  std::string path = {};
  Handler handler = {};
  /// A group's routes (nested to any depth); their paths are appended to `path`.
  std::vector<Route> routes = {};
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
