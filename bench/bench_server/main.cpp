// The benchmark server: the twin of bench/peer/server.ts (Bun + Pulsar), same routes and
// bodies, so bench/run compares like with like.
//
//   PORT                 port to listen on (3000 when unset, as Pulsar)
//   THREADS              event loop threads; 1 when unset (the per-core figures), 0 = every
//                        CPU the process may run on (the all-cores run)
//   BENCH_MIDDLEWARES=N  N pass-through middlewares in front of every route (H4 uses 3)

#include <pulsarcpp/pulsarcpp.hpp>
#include <string>
#include <utility>
#include <vector>

#include "../lib/env_unsigned.hpp"

using namespace pulsarcpp;

namespace {

std::vector<Route> bench_routes() {
  std::vector<Route> routes;
  routes.push_back(router::get("/", [](Context&) { return json({{"message", "Hello, world!"}}); }));
  // 50 routes registered before /users/:id, as in the peer: half static, half with a
  // parameter, all two segments deep.
  for (int i = 0; i < 50; ++i) {
    std::string path =
        i % 2 == 0 ? "/route" + std::to_string(i) + "/list" : "/r" + std::to_string(i) + "/:x";
    std::string body = "route " + std::to_string(i);
    routes.push_back(router::get(std::move(path), [body](Context&) { return text(body); }));
  }
  routes.push_back(router::get("/users/:id", [](Context& ctx) {
    return json({{"id", ctx.param("id")}});
  }));
  return routes;
}

std::vector<Middleware> pass_through_middlewares(unsigned count) {
  std::vector<Middleware> middlewares;
  for (unsigned i = 0; i < count; ++i) {
    middlewares.emplace_back(
        [](Context&, Next next) -> Task<Response> { co_return co_await next(); });
  }
  return middlewares;
}

}  // namespace

int main() {
  auto threads = bench::env_unsigned("bench_server", "THREADS", 1);
  auto middleware_count = bench::env_unsigned("bench_server", "BENCH_MIDDLEWARES", 0);
  if (!threads || !middleware_count) return 2;
  return start({
      .port = default_port(),
      .hostname = "127.0.0.1",
      .routes = bench_routes(),
      .middlewares = pass_through_middlewares(*middleware_count),
      .threads = *threads,
  });
}
