#pragma once
// AppCore: the compiled application (route tree, handlers, middleware chain), shared by the
// socket server and the in-memory App. Immutable after construction, so every loop thread
// uses one instance without locks.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/route_tree.hpp"
#include "pulsarcpp/context.hpp"
#include "pulsarcpp/middleware.hpp"
#include "pulsarcpp/options.hpp"
#include "pulsarcpp/detail/websocket_endpoint.hpp"

namespace pulsarcpp::detail {

class AppCore {
 public:
  /// The middleware a request runs through, in order.
  using Chain = std::vector<const Middleware*>;

  /// Takes the routes, middlewares and endpoints out of `config`; throws StartError on a bad
  /// route or endpoint.
  explicit AppCore(ServerConfig& config);

  /// Prepares `ctx` for a new request and routes it.
  void begin(Context& ctx, const http::RequestHead& head, std::string_view body,
             std::string_view remote_address, std::uint16_t remote_port, Server* server) const;

  /// True when the response can be produced without suspending: no middleware, and the
  /// request goes to a plain (non-coroutine) handler, a 404 or a 405.
  bool can_run_sync(const Context& ctx) const noexcept;
  /// The fast path; only when can_run_sync(). Never throws.
  Response run_sync(Context& ctx) const;
  /// The general path: middleware chain, then the route. Never throws (errors become 4xx/5xx).
  Task<Response> run(Context& ctx) const;

  /// True when a GET route answered a HEAD request: the body must not be sent.
  static bool omits_body(const Context& ctx) noexcept { return ctx.method() == http::Method::head; }
  /// Headers put into Response::headers directly skip the setters' checks; one that would break
  /// the header section (CR, LF or NUL anywhere, ':' or nothing in a name) turns the response
  /// into a logged 500 without the context's additions. Run on every response.
  void refuse_unsafe_headers(Response& response, Context& ctx) const;
  /// An answer of the library's own, in the configured ErrorFormat.
  Response library_error(int status, std::string message = {}) const {
    return detail::library_error(status, std::move(message), error_format_);
  }
  ErrorFormat error_format() const noexcept { return error_format_; }
  const std::string& public_dir() const noexcept { return public_dir_; }
  bool has_websockets() const noexcept { return !endpoint_ids_.empty(); }

  /// Continues the chain at middleware `index` (the route after the last one).
  Task<Response> run_from(Context& ctx, std::size_t index) const;

 private:
  struct CompiledRoute {
    RouteInfo info;
    Handler handler;
    std::shared_ptr<const WsEndpoint> endpoint;  // a WebSocket endpoint instead of a handler
    Chain chain;                                  // global middleware, then its groups', its own
  };
  /// What the routes of a group inherit: the joined prefix, middleware and options.
  struct Scope {
    std::string prefix;
    Chain chain;
    RouteOptions options;
  };

  void add_routes(std::vector<Route>& routes, const Scope& scope);
  /// `route`'s scope: the group's, with its own middleware and options added.
  Scope scope_of(Route& route, const Scope& outer);
  void add_endpoint(std::shared_ptr<const WsEndpoint> endpoint, std::string path, Scope scope);
  const Chain& chain_of(const Context& ctx) const noexcept;
  Response answer_unrouted(Context& ctx) const;
  /// Fills ctx.chain_ with the Next each middleware is handed (once per Context).
  void prepare_chain(Context& ctx) const;
  Task<Response> run_route(Context& ctx) const;
  Response response_for_exception(const Context& ctx, std::exception_ptr error) const;
  /// False when a parameter holds a malformed %-escape.
  static bool decode_params(Context& ctx, const std::vector<RouteParam>& raw);
  /// A match_kind_ beyond RouteTree's: the route matched but its parameters cannot be decoded.
  static constexpr std::uint8_t kMalformedPath = 0xFF;
  /// A match_kind_ for a WebSocket endpoint's path; route_id_ is its route.
  static constexpr std::uint8_t kWebSocket = 0xFE;

  Task<Response> run_upgrade(Context& ctx) const;

  RouteTree tree_;
  std::vector<CompiledRoute> routes_;
  std::vector<std::uint32_t> endpoint_ids_;  // the routes_ that are WebSocket endpoints
  // Every middleware, global or scoped, once: chains point into it (a deque never moves them).
  std::deque<Middleware> middlewares_;
  Chain global_chain_;  // what a request that matched no route runs
  std::string public_dir_;
  ErrorFormat error_format_;
};

}  // namespace pulsarcpp::detail
