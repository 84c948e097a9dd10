#pragma once
// What every connection of one loop thread shares: the loop, the compiled app, limits, the
// Date cache, and the set of open connections (for graceful shutdown).

#include <atomic>
#include <cstddef>
#include <unordered_set>

#include "app/app_core.hpp"
#include "http/date_cache.hpp"
#include "http/parser.hpp"
#include "net/event_loop.hpp"
#include "pulsarcpp/options.hpp"

namespace pulsarcpp {
class Server;
}

namespace pulsarcpp::detail {

class HttpConnection;

struct LoopContext {
  net::EventLoop loop;
  const AppCore* app = nullptr;
  Server* server = nullptr;
  Limits limits;
  http::ParserLimits parser_limits;
  http::DateCache date;
  std::atomic<std::size_t>* open_connections = nullptr;  // shared by all loops of a server
  std::unordered_set<HttpConnection*> connections;
  bool draining = false;  // graceful stop in progress: finish what is in flight, then close
};

}  // namespace pulsarcpp::detail
