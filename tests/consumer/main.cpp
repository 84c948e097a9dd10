// Uses the installed headers and library: an in-memory request through a route.
#include <pulsarcpp/pulsarcpp.hpp>

#include <cstdio>

int main() {
  using namespace pulsarcpp;
  App app({.routes = {router::get("/hello/:name", [](Context& ctx) {
             return text("Hello, " + std::string(ctx.param("name")) + "!");
           })}});
  Response response = app.handle({.method = "GET", .target = "/hello/consumer"});
  if (response.status != 200 || response.body != "Hello, consumer!") {
    std::fprintf(stderr, "consumer: unexpected %d %s\n", response.status, response.body.c_str());
    return 1;
  }
  std::puts("consumer: find_package(pulsarcpp) works");
  return 0;
}
