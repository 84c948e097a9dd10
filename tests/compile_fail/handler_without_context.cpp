// A route handler that takes no Context.
// expect: a route handler is Response(Context&) or Task<Response>(Context&)
#include <pulsarcpp/pulsarcpp.hpp>

using namespace pulsarcpp;

int main() {
  return start({.routes = {router::get("/", [] { return text("hello"); })}});
}
