#pragma once
// What every connection of one loop thread shares: the loop, the compiled app, limits, the
// Date cache, and the set of open connections (for graceful shutdown).

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "app/app_core.hpp"
#include "http/date_cache.hpp"
#include "http/parser.hpp"
#include "net/event_loop.hpp"
#include "net/intrusive_list.hpp"
#include "pulsarcpp/options.hpp"
#include "ws/deflate.hpp"
#include "ws/topic_table.hpp"

namespace pulsarcpp {
class Server;
}

namespace pulsarcpp::detail {

class HttpConnection;
class WsConnection;
class PubSubHub;

struct LoopContext {
  net::EventLoop loop;
  const AppCore* app = nullptr;
  Server* server = nullptr;
  Limits limits;
  http::ParserLimits parser_limits;
  http::DateCache date;
  std::atomic<std::size_t>* open_connections = nullptr;  // shared by all loops of a server
  net::IntrusiveList<HttpConnection> connections;
  bool draining = false;  // graceful stop in progress: finish what is in flight, then close

  // WebSockets of this loop, its topics, and the server-wide pub/sub it reports to.
  std::size_t index = 0;
  net::IntrusiveList<WsConnection> websockets;
  ws::TopicTable topics;
  PubSubHub* hub = nullptr;
  // permessage-deflate in the shared modes: one stream per loop, reset after every message.
  std::optional<ws::Deflater> shared_deflater;
  std::optional<ws::Inflater> shared_inflater;
  std::string deflate_output;  // compression scratch, reused by every socket of the loop

  // Connections read into this one buffer and keep only what they cannot handle at once (an
  // incomplete frame header or control frame, a request and what was pipelined behind it), so
  // an idle socket holds no receive buffer of its own. Valid until the next read on the loop.
  static constexpr std::size_t kReadBufferSize = 64 * 1024;
  char* read_buffer() {
    if (!read_buffer_) read_buffer_ = std::make_unique_for_overwrite<char[]>(kReadBufferSize);
    return read_buffer_.get();
  }

 private:
  std::unique_ptr<char[]> read_buffer_;
};

}  // namespace pulsarcpp::detail
