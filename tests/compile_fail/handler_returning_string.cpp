// A route handler that returns something that is not a Response.
// expect: a route handler is Response(Context&) or Task<Response>(Context&): this one returns something else
#include <pulsarcpp/pulsarcpp.hpp>

using namespace pulsarcpp;

int main() {
  return start({.routes = {router::get("/", [](Context&) { return 42; })}});
}
