// libFuzzer target for the request head parser and the chunked decoder. Beyond crashes and
// sanitizer reports it traps on broken invariants: views outside the input, impossible results,
// and a chunked body that decodes differently when it arrives in pieces.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http/chunked_decoder.hpp"
#include "http/parser.hpp"

namespace {

using pulsarcpp::http::BodyFraming;
using pulsarcpp::http::ChunkedDecoder;
using pulsarcpp::http::HeadProgress;
using pulsarcpp::http::ParseResult;
using pulsarcpp::http::ParserLimits;
using pulsarcpp::http::ParseStatus;
using pulsarcpp::http::RequestHead;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool inside(std::string_view view, std::string_view input) {
  return view.empty() ||
         (view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size());
}

bool known_error(int status) {
  for (int s : {400, 413, 414, 417, 431, 501, 505}) {
    if (status == s) return true;
  }
  return false;
}

void check_head(std::string_view input, const ParserLimits& limits, const ParseResult& r,
                const RequestHead& head) {
  if (r.status != ParseStatus::complete) {
    check(r.consumed == 0);
    check(r.status == ParseStatus::incomplete ? r.error_status == 0 : known_error(r.error_status));
    return;
  }
  check(r.consumed > 0 && r.consumed <= input.size() && r.consumed <= limits.max_head_bytes);
  const std::string_view used = input.substr(0, r.consumed);
  check(inside(head.method_name, used) && !head.method_name.empty());
  check(inside(head.target, used) && !head.target.empty());
  check(inside(head.path, used) || head.path == "/");
  check(!head.path.empty() && inside(head.query, used) && inside(head.host, used));
  check(head.headers.size() <= limits.max_header_count);
  for (const auto& h : head.headers) check(inside(h.name, used) && inside(h.value, used));
  check(head.version_minor <= 1);
  if (head.framing == BodyFraming::content_length) {
    check(head.content_length <= limits.max_body_bytes);
  }
  if (head.framing == BodyFraming::chunked) check(head.version_minor == 1);
}

struct BodyOutcome {
  ChunkedDecoder::Result result;
  std::vector<char> buffer;
};

// Feeds `body` in pieces whose sizes come from `seed`, moving the buffer before every call.
BodyOutcome decode(std::string_view body, std::size_t max_body, std::uint32_t seed) {
  ChunkedDecoder decoder(max_body);
  BodyOutcome out;
  std::size_t fed = 0;
  do {
    seed = seed * 1103515245u + 12345u;
    const std::size_t piece = seed == 0 ? body.size() : 1 + (seed >> 16) % 64;
    const std::size_t n = std::min(piece, body.size() - fed);
    std::vector<char> moved(out.buffer);
    moved.insert(moved.end(), body.begin() + static_cast<std::ptrdiff_t>(fed),
                 body.begin() + static_cast<std::ptrdiff_t>(fed + n));
    out.buffer = std::move(moved);
    fed += n;
    out.result = decoder.decode(out.buffer.data(), out.buffer.size());
    const auto& r = out.result;
    check(r.decoded <= r.consumed && r.consumed <= out.buffer.size() && r.decoded <= max_body);
    check(r.status != ChunkedDecoder::Status::error || r.error_status == 400 ||
          r.error_status == 413);
  } while (out.result.status == ChunkedDecoder::Status::incomplete && fed < body.size());
  return out;
}

void check_chunked_body(std::string_view body, std::size_t max_body) {
  std::uint32_t seed = 2166136261u;
  for (char c : body) seed = (seed ^ static_cast<unsigned char>(c)) * 16777619u;
  const BodyOutcome whole = decode(body, max_body, 0);
  const BodyOutcome pieces = decode(body, max_body, seed | 1);
  check(whole.result.status == pieces.result.status);
  check(whole.result.error_status == pieces.result.error_status);
  if (whole.result.status != ChunkedDecoder::Status::complete) return;
  check(whole.result.consumed == pieces.result.consumed);
  check(whole.result.decoded == pieces.result.decoded);
  check(std::equal(whole.buffer.begin(),
                   whole.buffer.begin() + static_cast<std::ptrdiff_t>(whole.result.decoded),
                   pieces.buffer.begin()));
}

// The same input arriving in pieces whose sizes come from `seed`, the bytes moving before
// every call, must end as the whole input does: the same status, length and head.
void check_head_in_pieces(std::string_view input, const ParserLimits& limits,
                          const ParseResult& whole, const RequestHead& whole_head,
                          std::uint32_t seed) {
  RequestHead head;
  HeadProgress progress;
  std::vector<char> buffer;
  ParseResult r;
  std::size_t fed = 0;
  do {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(1 + (seed >> 16) % 48, input.size() - fed);
    std::vector<char> moved(buffer);
    moved.insert(moved.end(), input.begin() + static_cast<std::ptrdiff_t>(fed),
                 input.begin() + static_cast<std::ptrdiff_t>(fed + n));
    buffer = std::move(moved);
    fed += n;
    r = parse_request_head(std::string_view(buffer.data(), buffer.size()), limits, head, progress);
  } while (r.status == ParseStatus::incomplete && fed < input.size());
  check(r.status == whole.status && r.error_status == whole.error_status);
  if (r.status != ParseStatus::complete) return;
  check(r.consumed == whole.consumed);
  check(head.method_name == whole_head.method_name && head.target == whole_head.target);
  check(head.path == whole_head.path && head.query == whole_head.query);
  check(head.host == whole_head.host && head.headers.size() == whole_head.headers.size());
  for (std::size_t i = 0; i < head.headers.size(); ++i) {
    check(head.headers[i].name == whole_head.headers[i].name);
    check(head.headers[i].value == whole_head.headers[i].value);
  }
  check(head.framing == whole_head.framing && head.content_length == whole_head.content_length);
  check(head.keep_alive == whole_head.keep_alive && head.upgrade == whole_head.upgrade);
}

void run(std::string_view input, const ParserLimits& limits) {
  RequestHead head;
  const ParseResult r = parse_request_head(input, limits, head);
  check_head(input, limits, r, head);
  if (!input.empty()) {
    std::uint32_t seed = 2166136261u;
    for (char c : input.substr(0, 64)) seed = (seed ^ static_cast<unsigned char>(c)) * 16777619u;
    check_head_in_pieces(input, limits, r, head, seed);
  }
  if (r.status != ParseStatus::complete) return;
  // A strict prefix of a complete head can never be complete or wrong.
  RequestHead prefix_head;
  const ParseResult p = parse_request_head(input.substr(0, r.consumed - 1), limits, prefix_head);
  check(p.status == ParseStatus::incomplete);
  if (head.framing == BodyFraming::chunked) {
    check_chunked_body(input.substr(r.consumed), limits.max_body_bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  run(input, ParserLimits{});
  // Tight limits reach the 413/414/431 paths with small inputs.
  run(input, ParserLimits{.max_head_bytes = 96, .max_header_count = 4, .max_body_bytes = 64});
  return 0;
}
