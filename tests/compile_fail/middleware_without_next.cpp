// A middleware that forgot its Next parameter.
// expect: a middleware is Task<Response>(Context&, Next) or Task<Response>(Context&, const Next&)
#include <pulsarcpp/pulsarcpp.hpp>

using namespace pulsarcpp;

Task<Response> guard(Context&) { co_return error(401); }

int main() { return start({.routes = {}, .middlewares = {logger(), guard}}); }
