// A route-scoped middleware that returns a Response instead of a Task<Response>.
// expect: a middleware is Task<Response>(Context&, Next) or Task<Response>(Context&, const Next&)
#include <pulsarcpp/pulsarcpp.hpp>

using namespace pulsarcpp;

int main() {
  return start({.routes = {router::get("/", [](Context&) { return text("ok"); })
                               .use([](Context&, Next) { return text("no"); })}});
}
