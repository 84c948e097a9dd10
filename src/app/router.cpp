#include "pulsarcpp/router.hpp"

namespace pulsarcpp {

Route group(std::string prefix, std::vector<Route> routes) {
  return Route{.method = {}, .path = std::move(prefix), .handler = {}, .routes = std::move(routes)};
}

namespace router {
namespace {
Route make(const char* method, std::string path, Handler handler) {
  return Route{.method = method, .path = std::move(path), .handler = std::move(handler)};
}
}  // namespace

Route get(std::string path, Handler handler) { return make("GET", std::move(path), std::move(handler)); }
Route post(std::string path, Handler handler) { return make("POST", std::move(path), std::move(handler)); }
Route put(std::string path, Handler handler) { return make("PUT", std::move(path), std::move(handler)); }
Route del(std::string path, Handler handler) { return make("DELETE", std::move(path), std::move(handler)); }
Route patch(std::string path, Handler handler) { return make("PATCH", std::move(path), std::move(handler)); }
Route options(std::string path, Handler handler) { return make("OPTIONS", std::move(path), std::move(handler)); }
Route head(std::string path, Handler handler) { return make("HEAD", std::move(path), std::move(handler)); }
Route all(std::string path, Handler handler) { return make("ALL", std::move(path), std::move(handler)); }
}  // namespace router

}  // namespace pulsarcpp
