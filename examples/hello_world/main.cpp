// Pulsar's "Hello world" page in C++: one route answering JSON on http://localhost:3000
// (PORT and THREADS from the environment).
#include <pulsarcpp/pulsarcpp.hpp>

using namespace pulsarcpp;

int main() {
  return start({
      .routes = {router::get("/", [](Context&) { return json({{"message", "Hello, world!"}}); })},
  });
}
