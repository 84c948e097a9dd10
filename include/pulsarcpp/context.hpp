#pragma once
// Context: everything a handler or middleware knows about one request, and the headers and
// cookies it wants added to the response. Views returned by Context stay valid until the
// response has been produced.

#include <any>
#include <forward_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

#include "pulsarcpp/http/cookie.hpp"
#include "pulsarcpp/http/method.hpp"
#include "pulsarcpp/http/request_head.hpp"
#include "pulsarcpp/next.hpp"
#include "pulsarcpp/response.hpp"

namespace pulsarcpp {

class Server;
struct RouteInfo;

/// How routing ended for a request (Context::route_match()).
enum class RouteMatch : std::uint8_t {
  found,               // a route or WebSocket endpoint: Context::route() says which
  not_found,           // no route has this path (404, or a file under /public/)
  method_not_allowed,  // routes have this path, under other methods (405)
  malformed_path,      // the path or a parameter holds a malformed %-escape (400)
};

namespace detail {
struct RouteParam;
class AppCore;
}  // namespace detail

class Context {
 public:
  Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // --- The request -------------------------------------------------------------------------
  http::Method method() const noexcept { return head_->method; }
  /// The method token as sent ("GET", "PROPFIND", ...).
  std::string_view method_name() const noexcept { return head_->method_name; }
  /// The path without the query, in the one normal form that routing, middleware, public
  /// files and the logger all see: repeated and trailing slashes merged away, "." and ".."
  /// resolved (never above "/"), escapes of unreserved characters decoded and the others in
  /// upper case ("//api/./x/../%75sers/" is "/api/users"; "%2F" stays "%2F", a byte of its
  /// segment). The path as sent is in target().
  std::string_view path() const noexcept { return path_; }
  /// The request-target as sent ("/users/42?x=1").
  std::string_view target() const noexcept { return head_->target; }
  /// The raw query string, without '?'.
  std::string_view query_string() const noexcept { return head_->query; }
  /// The decoded value of query parameter `name` ('+' is a space), or nullopt.
  std::optional<std::string> query(std::string_view name) const;
  /// The decoded value of path parameter `name` (":name" in the route; "*" for a wildcard),
  /// or an empty view when the route has no such parameter.
  std::string_view param(std::string_view name) const;
  /// All path parameters, decoded, in route order.
  const std::vector<std::pair<std::string_view, std::string_view>>& params() const noexcept {
    return params_;
  }
  /// A request header (case-insensitive name), or an empty view.
  std::string_view header(std::string_view name) const noexcept { return head_->header(name); }
  bool has_header(std::string_view name) const noexcept { return head_->has_header(name); }
  const std::vector<http::Header>& headers() const noexcept { return head_->headers; }
  /// A cookie sent by the client, or nullopt.
  std::optional<std::string_view> cookie(std::string_view name) const;
  /// The request body bytes (dechunked).
  std::string_view body() const noexcept { return body_; }
  std::string_view text() const noexcept { return body_; }
  /// The body parsed as JSON; throws HttpError(400) when it is not valid JSON. Parsed once.
  const nlohmann::json& json() const;
  /// The peer's IP address ("127.0.0.1", "::1"), or empty for the in-memory client.
  std::string_view remote_address() const noexcept { return remote_address_; }
  std::uint16_t remote_port() const noexcept { return remote_port_; }
  const http::RequestHead& request_head() const noexcept { return *head_; }

  /// The route or WebSocket endpoint this request matched (pattern, method, options), or
  /// nullptr when none did (see route_match()). Set before any middleware runs.
  const RouteInfo* route() const noexcept { return route_; }
  RouteMatch route_match() const noexcept;

  // --- Values set by middleware, one per type ------------------------------------------------
  template <class T>
  void set(T value) {
    for (auto& [type, stored] : values_) {
      if (type == typeid(T)) {
        stored = std::move(value);
        return;
      }
    }
    values_.emplace_back(typeid(T), std::move(value));
  }
  /// The value of type T set earlier in this request, or nullptr.
  template <class T>
  T* get() noexcept {
    for (auto& [type, stored] : values_) {
      if (type == typeid(T)) return std::any_cast<T>(&stored);
    }
    return nullptr;
  }
  template <class T>
  const T* get() const noexcept {
    return const_cast<Context*>(this)->get<T>();
  }

  // --- Additions to the response --------------------------------------------------------------
  /// A header added to whatever response this request gets (after the handler's own). Throws
  /// std::invalid_argument for a name that is not a token or a value with CR, LF or NUL.
  void add_response_header(std::string_view name, std::string_view value);
  /// A Set-Cookie added to whatever response this request gets.
  void set_cookie(const http::Cookie& cookie);
  const Headers& response_headers() const noexcept { return response_headers_; }

  /// The server handling this request (publish, subscriber_count), or nullptr in handle().
  Server* server() const noexcept { return server_; }

 private:
  friend class detail::AppCore;
  void reset(const http::RequestHead& head, std::string_view body);

  const http::RequestHead* head_ = nullptr;
  std::string_view path_;
  std::string normalized_path_;  // path_'s storage when the path as sent was not normal
  std::string_view body_;
  std::string_view remote_address_;
  std::uint16_t remote_port_ = 0;
  Server* server_ = nullptr;
  std::vector<std::pair<std::string_view, std::string_view>> params_;
  // Storage for params that needed percent-decoding. A list: its strings never move, so the
  // views in params_ stay valid, and an empty one allocates nothing (a deque would allocate
  // about 600 bytes per connection up front).
  std::forward_list<std::string> decoded_;
  mutable std::unique_ptr<nlohmann::json> json_;
  std::vector<std::pair<std::type_index, std::any>> values_;
  Headers response_headers_;
  // The Next handed to middleware i is chain_[i]: it outlives every middleware of the request,
  // which may hold it by reference. Built on the first request and kept with the Context.
  std::vector<Next> chain_;
  // Routing outcome, filled by the app before the chain runs.
  const RouteInfo* route_ = nullptr;
  std::uint32_t route_id_ = 0;
  std::uint8_t match_kind_ = 0;
  bool head_fallback_ = false;
  std::string_view allow_;
};

}  // namespace pulsarcpp
