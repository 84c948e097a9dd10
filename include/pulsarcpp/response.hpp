#pragma once
// Response and the helpers that build one, named as in Pulsar: json, text, html, file,
// redirect, stream, sse, error, custom_response.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pulsarcpp/async_generator.hpp"
#include "pulsarcpp/http/cookie.hpp"
#include "pulsarcpp/json_field.hpp"

namespace pulsarcpp {

namespace detail {
struct UpgradeTicket;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Pulsar's ResponseInit: the status and extra headers a helper puts on its response.
struct ResponseOptions {
  int status = 200;
  Headers headers = {};
};

/// One Server-Sent Event. Empty fields are left out of the wire format.
struct SseEvent {
  std::string data = {};   // split on newlines into several "data:" lines
  std::string event = {};  // "event:" type; empty = the default "message"; no CR or LF
  std::string id = {};     // "id:"; no CR, LF or NUL (format_sse_event throws)
  std::optional<int> retry_ms = std::nullopt;  // "retry:" reconnection delay
};

class Response {
 public:
  int status = 200;
  Headers headers;
  std::string body;

  /// A file to send from disk (see file()); resolved by the server, which adds Content-Type,
  /// ETag, Last-Modified and Content-Length, answers 304/206/416/404, and uses sendfile.
  std::optional<std::string> file_path;
  /// A body produced piece by piece (see stream() and sse()), sent with chunked encoding.
  std::shared_ptr<AsyncGenerator<std::string>> body_stream;
  /// Set on the 101 answer of a WebSocket endpoint: what the connection becomes.
  std::shared_ptr<detail::UpgradeTicket> upgrade;

  Response() = default;
  explicit Response(int status_code) : status(status_code) {}
  Response(const Response&) = default;
  Response(Response&&) noexcept = default;
  Response& operator=(const Response&) = default;
  Response& operator=(Response&&) noexcept = default;
  /// Hands the body's and headers' storage to the next response made on this thread.
  ~Response();

  /// Sets a header, replacing any header of the same name (case-insensitive).
  /// Both setters throw std::invalid_argument for a name that is not a token or a value with
  /// CR, LF or NUL, which would end the header line early. Headers pushed into `headers`
  /// directly are checked before the response is written: an unsafe one makes it a 500.
  Response& set_header(std::string_view name, std::string_view value);
  /// Adds a header, keeping existing ones of the same name (as Set-Cookie needs).
  Response& add_header(std::string_view name, std::string_view value);
  /// The first header of that name, or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  Response& remove_header(std::string_view name);
  /// Adds a Set-Cookie header. Throws std::invalid_argument for an invalid cookie.
  Response& set_cookie(const http::Cookie& cookie);

 private:
  void remove_header_after(const std::string* kept, std::string_view name);
};

/// `custom_response(body, content_type, options)`: any body with any content type; an empty
/// content type adds no Content-Type header.
Response custom_response(std::string body, std::string_view content_type = {},
                         ResponseOptions options = {});
/// JSON body, `Content-Type: application/json`.
Response json(const nlohmann::json& data, ResponseOptions options = {});
/// The same for an object literal of scalars, `json({{"message", "hi"}, {"n", 1}})`: the same
/// bytes as the nlohmann::json it would build, without building it (see json_field.hpp).
Response json(std::initializer_list<JsonField> fields, ResponseOptions options = {});
/// Plain text, `Content-Type: text/plain`.
Response text(std::string body, ResponseOptions options = {});
/// HTML, `Content-Type: text/html`.
Response html(std::string body, ResponseOptions options = {});
/// A file from disk, relative to the working directory (a leading '/' is dropped, as Pulsar
/// does). Streamed with sendfile; 404 when missing; ETag/Last-Modified (304) and Range (206/416).
Response file(std::string path, ResponseOptions options = {});
/// `Location: location` with status 302 (or the one given).
Response redirect(std::string location, int status = 302, ResponseOptions options = {});
/// Chunked body from an async generator; the generator is paused while the client is slow.
Response stream(AsyncGenerator<std::string> generator, ResponseOptions options = {});
/// Server-Sent Events (`text/event-stream`, no caching) from an async generator of events.
Response sse(AsyncGenerator<SseEvent> events, ResponseOptions options = {});
/// `status` with `message` as a text body, or the reason phrase when the message is empty.
Response error(int status, std::string message = {}, ResponseOptions options = {});

/// The wire form of one event ("event: ...\ndata: ...\n\n").
std::string format_sse_event(const SseEvent& event);

/// How the library writes its own answers: 404, 405, a malformed request's 4xx, 500 for a
/// throw, an HttpError's status, a refused upgrade (Options::error_format).
enum class ErrorFormat : std::uint8_t {
  /// As Pulsar: the message (else the reason phrase) as text/plain;charset=utf-8.
  text,
  /// {"error": "<message, else the reason phrase>", "status": N} as application/json.
  json,
};

namespace detail {
/// An answer of the library's own: error(status, message) in `format`.
Response library_error(int status, std::string message, ErrorFormat format);
}  // namespace detail

/// Thrown from handler code to answer with `status` and `message` (see error()).
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string message)
      : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace pulsarcpp
