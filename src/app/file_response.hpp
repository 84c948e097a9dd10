#pragma once
// Turns a file() response into what goes on the wire: the open file and byte range to send,
// with ETag / Last-Modified validation (304), Range (206/416) and 404 for a missing file.

#include <cstdint>

#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/response.hpp"

namespace pulsarcpp::detail {

struct OpenedFile {
  /// The status and headers to send (and, for 304/404/416, the complete answer).
  Response response;
  int fd = -1;  // the caller owns it and closes it; -1 when there is nothing to send
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // bytes of the file to send after the head
};

/// `response` is a file() response (file_path set). Never throws for I/O problems.
OpenedFile open_file_response(Response response, const http::RequestHead& request,
                              ErrorFormat format);

}  // namespace pulsarcpp::detail
