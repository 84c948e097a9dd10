// Text the application gives a WebSocket to send or publish. RFC 6455 §5.6 requires text
// messages to be valid UTF-8 and a client fails the connection on anything else (1007), so the
// library refuses such text at the call instead of breaking the receivers' connections.
#pragma once

#include <stdexcept>
#include <string_view>

#include "ws/utf8.hpp"

namespace pulsarcpp::detail {

inline std::string_view valid_text(std::string_view text) {
  if (!ws::is_valid_utf8(text)) {
    throw std::invalid_argument(
        "WebSocket text must be valid UTF-8 (RFC 6455 5.6); send other bytes as binary");
  }
  return text;
}

}  // namespace pulsarcpp::detail
