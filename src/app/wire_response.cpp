#include "app/wire_response.hpp"

#include <charconv>
#include <string>

#include "http/chunked_decoder.hpp"
#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/http/status.hpp"

namespace pulsarcpp::detail {
namespace {

// The next CRLF-ended line of `bytes` from `pos`, which moves past it.
std::string_view next_line(std::string_view bytes, std::size_t& pos) {
  const std::size_t end = bytes.find("\r\n", pos);
  const std::size_t stop = end == std::string_view::npos ? bytes.size() : end;
  const std::string_view line = bytes.substr(pos, stop - pos);
  pos = end == std::string_view::npos ? bytes.size() : end + 2;
  return line;
}

std::string dechunked(std::string_view body) {
  std::string decoded(body);
  http::ChunkedDecoder decoder(decoded.size());
  const auto result = decoder.decode(decoded.data(), decoded.size());
  decoded.resize(result.decoded);
  return decoded;
}

}  // namespace

Response read_wire_response(std::string_view bytes, bool to_head) {
  std::size_t pos = 0;
  const std::string_view status_line = next_line(bytes, pos);  // "HTTP/1.1 200 OK"
  Response response;
  const std::string_view code = status_line.substr(std::min<std::size_t>(9, status_line.size()), 3);
  std::from_chars(code.data(), code.data() + code.size(), response.status);
  for (std::string_view line = next_line(bytes, pos); !line.empty(); line = next_line(bytes, pos)) {
    const std::size_t colon = line.find(':');
    response.headers.emplace_back(line.substr(0, colon),
                                  http::trim_ows(line.substr(colon + 1)));
  }
  std::string_view body = bytes.substr(pos);
  if (to_head || !http::status_allows_body(response.status)) return response;
  if (const auto length = response.header("Content-Length")) {
    std::size_t size = 0;
    std::from_chars(length->data(), length->data() + length->size(), size);
    response.body = body.substr(0, size);
  } else if (response.header("Transfer-Encoding") == "chunked") {
    response.body = dechunked(body);
  } else {
    response.body = body;
  }
  return response;
}

}  // namespace pulsarcpp::detail
