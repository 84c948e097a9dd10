#include "app/file_response.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "http/date.hpp"
#include "http/etag.hpp"
#include "http/mime.hpp"
#include "http/range.hpp"

namespace pulsarcpp::detail {
namespace {

std::string http_date(std::time_t t) {
  char text[29];
  http::format_http_date(t, text);
  return std::string(text, sizeof text);
}

// RFC 9110 §13.2.2 steps 1-2: If-Match, else If-Unmodified-Since (an invalid date is ignored).
bool precondition_failed(const http::RequestHead& request, std::string_view etag,
                         std::time_t mtime) {
  if (request.has_header("if-match")) {
    return !http::etag_matches_if_match(request.header("if-match"), etag);
  }
  std::string_view since = request.header("if-unmodified-since");
  if (since.empty()) return false;
  auto parsed = http::parse_http_date(since);
  return parsed && mtime > *parsed;
}

bool not_modified(const http::RequestHead& request, std::string_view etag, std::time_t mtime) {
  // If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2).
  if (request.has_header("if-none-match")) {
    return http::etag_matches_if_none_match(request.header("if-none-match"), etag);
  }
  std::string_view since = request.header("if-modified-since");
  if (since.empty()) return false;
  auto parsed = http::parse_http_date(since);
  return parsed && mtime <= *parsed;
}

}  // namespace

OpenedFile open_file_response(Response response, const http::RequestHead& request,
                              ErrorFormat format) {
  OpenedFile result;
  const std::string path = *response.file_path;
  // O_NONBLOCK: opening a FIFO without a writer would otherwise block the loop; a regular
  // file ignores the flag, and anything else is refused below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    if (fd >= 0) ::close(fd);
    result.response = library_error(404, {}, format);
    return result;
  }
  const auto size = static_cast<std::uint64_t>(info.st_size);
  const std::int64_t mtime_ns =
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  const std::string etag = http::make_etag(size, mtime_ns);

  response.file_path.reset();
  Response head = std::move(response);
  if (!head.header("Content-Type")) head.headers.emplace_back("Content-Type", http::mime_type_for(path));
  head.set_header("ETag", etag);
  head.set_header("Last-Modified", http_date(info.st_mtim.tv_sec));
  head.set_header("Accept-Ranges", "bytes");

  const bool safe_method =
      request.method == http::Method::get || request.method == http::Method::head;
  if (head.status == 200 && precondition_failed(request, etag, info.st_mtim.tv_sec)) {
    ::close(fd);
    result.response = library_error(412, {}, format);
    return result;
  }
  if (head.status == 200 && safe_method && not_modified(request, etag, info.st_mtim.tv_sec)) {
    ::close(fd);
    head.status = 304;
    head.remove_header("Content-Type");
    result.response = std::move(head);
    return result;
  }

  std::uint64_t first = 0;
  std::uint64_t length = size;
  std::string_view range = request.header("range");
  bool range_applies = head.status == 200 && safe_method && !range.empty();
  if (range_applies && request.has_header("if-range") &&
      !http::if_range_matches(request.header("if-range"), etag, info.st_mtim.tv_sec)) {
    range_applies = false;  // the representation changed: send it whole (RFC 9110 §13.1.5)
  }
  if (range_applies) {
    http::RangeResult evaluated = http::evaluate_range(range, size);
    if (evaluated.kind == http::RangeResult::Kind::unsatisfiable) {
      ::close(fd);
      Response refused = library_error(416, {}, format);
      refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
      result.response = std::move(refused);
      return result;
    }
    if (evaluated.kind == http::RangeResult::Kind::satisfiable) {
      first = evaluated.range.first;
      length = evaluated.range.last - evaluated.range.first + 1;
      head.status = 206;
      head.set_header("Content-Range", "bytes " + std::to_string(first) + "-" +
                                           std::to_string(evaluated.range.last) + "/" +
                                           std::to_string(size));
    }
  }
  result.response = std::move(head);
  result.fd = fd;
  result.offset = first;
  result.length = length;
  return result;
}

}  // namespace pulsarcpp::detail
