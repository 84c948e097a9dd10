// A WebSocket message handler that takes only the socket.
// expect: WebSocket handlers take the socket (WebSocket<T>&, T as in upgrade()) and: open(ws), message(ws, Message)
#include <pulsarcpp/pulsarcpp.hpp>

using namespace pulsarcpp;

int main() {
  return start({.websocket = {.message = [](WebSocket<std::monostate>&) {}}});
}
