#include "pulsarcpp/response.hpp"

#include <stdexcept>

#include "app/json_writer.hpp"
#include "app/response_recycler.hpp"
#include "http/field_syntax.hpp"
#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/http/status.hpp"

namespace pulsarcpp {

Response::~Response() { detail::recycle(body, headers); }

Response& Response::set_header(std::string_view name, std::string_view value) {
  http::check_response_field(name, value);
  for (auto& [key, existing] : headers) {
    if (http::iequals(key, name)) {
      existing.assign(value);
      remove_header_after(&key, name);
      return *this;
    }
  }
  headers.emplace_back(name, value);
  return *this;
}

Response& Response::add_header(std::string_view name, std::string_view value) {
  http::check_response_field(name, value);
  headers.emplace_back(name, value);
  return *this;
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (http::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

Response& Response::remove_header(std::string_view name) {
  std::erase_if(headers, [name](const auto& h) { return http::iequals(h.first, name); });
  return *this;
}

void Response::remove_header_after(const std::string* kept, std::string_view name) {
  std::erase_if(headers,
                [&](const auto& h) { return &h.first != kept && http::iequals(h.first, name); });
}

Response& Response::set_cookie(const http::Cookie& cookie) {
  headers.emplace_back("Set-Cookie", http::serialize_set_cookie(cookie));
  return *this;
}

namespace {
// What custom_response() and the helpers built on it make. The options are only read, so the
// helpers pass theirs on without moving them again.
Response make_response(std::string&& body, std::string_view content_type,
                       const ResponseOptions& options) {
  Response response(options.status);
  response.body = std::move(body);
  if (!content_type.empty()) {
    response.headers = detail::recycled_headers("Content-Type", content_type);
  }
  if (!options.headers.empty()) {
    response.headers.reserve(response.headers.size() + options.headers.size());
    // Options' headers win over the helper's Content-Type, as in Pulsar's spread order.
    for (const auto& [name, value] : options.headers) response.set_header(name, value);
  }
  return response;
}

// Small documents are the common case: one allocation for the body, not several as it grows.
constexpr std::size_t kJsonBodyReserve = 64;

// The document is written straight into the response's body, which comes from this thread's
// recycled storage.
template <class Data>
Response json_response(const Data& data, const ResponseOptions& options) {
  Response response = make_response(detail::recycled_body(), "application/json", options);
  response.body.reserve(kJsonBodyReserve);
  detail::append_json(response.body, data);
  return response;
}
}  // namespace

Response custom_response(std::string body, std::string_view content_type,
                         ResponseOptions options) {
  return make_response(std::move(body), content_type, options);
}

Response json(const nlohmann::json& data, ResponseOptions options) {
  return json_response(data, options);
}

Response json(std::initializer_list<JsonField> fields, ResponseOptions options) {
  return json_response(fields, options);
}

Response text(std::string body, ResponseOptions options) {
  return make_response(std::move(body), "text/plain", options);
}

Response html(std::string body, ResponseOptions options) {
  return make_response(std::move(body), "text/html", options);
}

Response file(std::string path, ResponseOptions options) {
  Response response = custom_response({}, {}, std::move(options));
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  response.file_path = std::move(path);
  return response;
}

Response redirect(std::string location, int status, ResponseOptions options) {
  options.status = status;
  Response response = custom_response({}, {}, std::move(options));
  if (!response.header("Location")) {
    http::check_response_field("Location", location);
    response.headers.emplace_back("Location", std::move(location));
  }
  return response;
}

Response stream(AsyncGenerator<std::string> generator, ResponseOptions options) {
  Response response = custom_response({}, {}, std::move(options));
  response.body_stream = std::make_shared<AsyncGenerator<std::string>>(std::move(generator));
  return response;
}

namespace {
AsyncGenerator<std::string> format_events(AsyncGenerator<SseEvent> events) {
  // Not `while (auto e = co_await ...)`: GCC 12 destroys such a condition variable twice.
  for (;;) {
    std::optional<SseEvent> event = co_await events.next();
    if (!event) break;
    co_yield format_sse_event(*event);
  }
}
}  // namespace

Response sse(AsyncGenerator<SseEvent> events, ResponseOptions options) {
  Response response = stream(format_events(std::move(events)), {.status = options.status});
  response.headers = {{"Content-Type", "text/event-stream"},
                      {"Cache-Control", "no-cache"},
                      // Proxies such as nginx would otherwise hold events back.
                      {"X-Accel-Buffering", "no"}};
  for (auto& [name, value] : options.headers) response.set_header(name, value);
  return response;
}

Response error(int status, std::string message, ResponseOptions options) {
  options.status = status;
  if (message.empty()) {
    std::string_view reason = http::reason_phrase(status);
    message = reason.empty() ? "Unknown Error" : std::string(reason);
  }
  // Bun labels a string body text/plain;charset=utf-8; Pulsar's error() relies on that.
  return custom_response(std::move(message), "text/plain;charset=utf-8", std::move(options));
}

Response detail::library_error(int status, std::string message, ErrorFormat format) {
  if (format == ErrorFormat::text) return error(status, std::move(message));
  if (message.empty()) {
    const std::string_view reason = http::reason_phrase(status);
    message = reason.empty() ? "Unknown Error" : std::string(reason);
  }
  return json({{"error", message}, {"status", status}}, {.status = status});
}

namespace {
void append_field(std::string& out, std::string_view field, std::string_view value) {
  out.append(field).append(": ").append(value).push_back('\n');
}
}  // namespace

std::string format_sse_event(const SseEvent& event) {
  // A line break in these single-line fields would start fields or events of the sender's
  // choosing; data is split into lines instead. A NUL makes browsers ignore an id.
  if (event.event.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument("SSE event type contains a line break");
  }
  if (event.id.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    throw std::invalid_argument("SSE id contains a line break or NUL");
  }
  std::string out;
  if (!event.event.empty()) append_field(out, "event", event.event);
  if (!event.id.empty()) append_field(out, "id", event.id);
  if (event.retry_ms) append_field(out, "retry", std::to_string(*event.retry_ms));
  std::string_view data = event.data;
  // Every line of the data becomes its own data: field; CRLF, CR and LF all end a line.
  std::size_t start = 0;
  while (true) {
    std::size_t end = data.find_first_of("\r\n", start);
    append_field(out, "data", data.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + ((data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n') ? 2 : 1);
  }
  out.push_back('\n');
  return out;
}

}  // namespace pulsarcpp
