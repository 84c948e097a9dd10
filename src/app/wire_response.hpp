#pragma once
// Reads back a response the app wrote for the wire: what App::handle returns, so that a unit
// test sees the status, every header and the body exactly as a client would read them.

#include <string_view>

#include "pulsarcpp/response.hpp"

namespace pulsarcpp::detail {

/// The response at the start of `bytes` (one written by write_response or
/// append_error_response). The body is what follows the head: a Content-Length's worth, the
/// decoded chunks of a chunked one (as far as they go, when a failed stream cut it short), or
/// the rest; none for an answer to HEAD (`to_head`), a 1xx, 204 or 304.
Response read_wire_response(std::string_view bytes, bool to_head);

}  // namespace pulsarcpp::detail
