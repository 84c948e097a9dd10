#include "app/app_core.hpp"

#include <exception>

#include "http/field_syntax.hpp"
#include "http/path.hpp"
#include "http/url.hpp"
#include "ws/upgrade.hpp"
#include "pulsarcpp/server.hpp"

namespace pulsarcpp::detail {
namespace {

std::size_t method_slot(const std::string& method) {
  if (method == "ALL") return kAnyMethod;
  http::Method m = http::method_from_string(method);
  if (m == http::Method::other) {
    throw StartError("route method \"" + method + "\" is not one of GET, HEAD, POST, PUT, "
                     "DELETE, CONNECT, OPTIONS, TRACE, PATCH or ALL");
  }
  return static_cast<std::size_t>(m);
}

// A route pattern or WebSocket path in the normal form request paths are matched in (see
// http::normalize_path), or a StartError naming it: one in another form would never match.
std::string normal_pattern(std::string_view what, std::string pattern) {
  if (http::has_dot_segment(pattern)) {
    throw StartError(std::string(what) + " \"" + pattern +
                     "\": a \".\" or \"..\" segment never matches, as request paths are "
                     "normalized (\"/a/../b\" is \"/b\")");
  }
  std::string normal;
  switch (http::normalize_path(pattern, normal)) {
    case http::PathForm::normal:
      return pattern;
    case http::PathForm::normalized:
      return normal;
    case http::PathForm::malformed:
      break;
  }
  throw StartError(std::string(what) + " \"" + pattern + "\": '%' must start an escape (%XX)");
}

// Thread-local scratch for the router's raw parameter views: no allocation per request.
thread_local std::vector<RouteParam> raw_params;

bool is_public_path(std::string_view path) { return path.starts_with("/public/"); }

// Maps /public/<rest> to <public_dir>/<rest>, refusing anything that could leave the folder.
std::optional<std::string> public_file_path(const std::string& dir, std::string_view path) {
  std::string relative;
  if (!http::percent_decode(path.substr(std::string_view("/public/").size()), relative, false)) {
    return std::nullopt;
  }
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t end = relative.find('/', start);
    if (end == std::string::npos) end = relative.size();
    std::string_view segment(relative.data() + start, end - start);
    if (segment == ".." || segment.find('\0') != std::string_view::npos ||
        segment.find('\\') != std::string_view::npos) {
      return std::nullopt;
    }
    start = end + 1;
  }
  if (relative.empty() || relative.back() == '/') return std::nullopt;
  return dir + "/" + relative;
}

}  // namespace

AppCore::AppCore(ServerConfig& config)
    : public_dir_(config.http.public_dir), error_format_(config.http.error_format) {
  Scope root;
  for (auto& middleware : config.http.middlewares) {
    if (!middleware) throw StartError("a middleware is empty");
    root.chain.push_back(&middlewares_.emplace_back(std::move(middleware)));
  }
  global_chain_ = root.chain;
  add_routes(config.http.routes, root);
  for (auto& endpoint : config.endpoints) {
    std::string path = endpoint->settings().path;
    add_endpoint(std::move(endpoint), std::move(path), root);
  }
}

AppCore::Scope AppCore::scope_of(Route& route, const Scope& outer) {
  Scope scope{outer.prefix + route.path, outer.chain, outer.options};
  for (auto& middleware : route.middlewares) {
    if (!middleware) throw StartError("\"" + scope.prefix + "\": a middleware is empty");
    scope.chain.push_back(&middlewares_.emplace_back(std::move(middleware)));
  }
  scope.options.inherit_into(route.options);
  scope.options = std::move(route.options);
  return scope;
}

void AppCore::add_routes(std::vector<Route>& routes, const Scope& outer) {
  for (auto& route : routes) {
    Scope scope = scope_of(route, outer);
    std::string pattern = scope.prefix;
    if (route.websocket) {
      if (route.handler || !route.routes.empty()) {
        throw StartError("WebSocket endpoint \"" + pattern + "\" cannot have a handler or routes");
      }
      add_endpoint(std::move(route.websocket), std::move(pattern), std::move(scope));
      continue;
    }
    if (route.method.empty()) {
      if (route.handler) throw StartError("route \"" + pattern + "\" has a handler but no method");
      add_routes(route.routes, scope);
      continue;
    }
    if (!route.handler) {
      throw StartError(route.method + " " + pattern + ": the route has no handler");
    }
    if (!route.routes.empty()) {
      throw StartError(route.method + " " + pattern + ": a route with a method cannot have routes");
    }
    if (!pattern.empty() && pattern.front() == '/') {
      pattern = normal_pattern(route.method + " route", pattern);
    }
    auto id = static_cast<std::uint32_t>(routes_.size());
    std::string problem = tree_.add(method_slot(route.method), pattern, id);
    if (!problem.empty()) throw StartError(route.method + " " + pattern + ": " + problem);
    routes_.push_back({.info = {route.method, std::move(pattern), std::move(scope.options), false},
                       .handler = std::move(route.handler),
                       .endpoint = {},
                       .chain = std::move(scope.chain)});
  }
}

void AppCore::add_endpoint(std::shared_ptr<const WsEndpoint> endpoint, std::string path,
                           Scope scope) {
  if (path.empty() || path.front() != '/') {
    throw StartError("WebSocket path \"" + path + "\" must start with '/'");
  }
  path = normal_pattern("WebSocket path", path);
  for (const std::uint32_t id : endpoint_ids_) {
    if (routes_[id].info.pattern == path) {
      throw StartError("two WebSocket endpoints on \"" + path + "\"");
    }
  }
  endpoint_ids_.push_back(static_cast<std::uint32_t>(routes_.size()));
  routes_.push_back({.info = {"GET", std::move(path), std::move(scope.options), true},
                     .handler = {},
                     .endpoint = std::move(endpoint),
                     .chain = std::move(scope.chain)});
}

void AppCore::begin(Context& ctx, const http::RequestHead& head, std::string_view body,
                    std::string_view remote_address, std::uint16_t remote_port,
                    Server* server) const {
  ctx.reset(head, body);
  ctx.remote_address_ = remote_address;
  ctx.remote_port_ = remote_port;
  ctx.server_ = server;
  switch (http::normalize_path(head.path, ctx.normalized_path_)) {
    case http::PathForm::normal:
      break;
    case http::PathForm::normalized:
      ctx.path_ = ctx.normalized_path_;
      break;
    case http::PathForm::malformed:
      ctx.match_kind_ = kMalformedPath;
      return;
  }
  for (const std::uint32_t id : endpoint_ids_) {
    if (ctx.path_ == routes_[id].info.pattern) {
      ctx.match_kind_ = kWebSocket;
      ctx.route_id_ = id;
      ctx.route_ = &routes_[id].info;
      return;
    }
  }
  RouteTree::Match match = tree_.match(head.method, ctx.path_, raw_params);
  ctx.match_kind_ = static_cast<std::uint8_t>(match.kind);
  ctx.head_fallback_ = match.head_fallback;
  ctx.route_id_ = match.route_id;
  ctx.allow_ = match.allow;
  if (match.kind != RouteTree::Match::Kind::found) return;
  if (!decode_params(ctx, raw_params)) {
    ctx.match_kind_ = kMalformedPath;
    return;
  }
  ctx.route_ = &routes_[match.route_id].info;
}

bool AppCore::decode_params(Context& ctx, const std::vector<RouteParam>& raw) {
  for (const auto& param : raw) {
    if (!http::needs_decoding(param.raw_value, false)) {
      ctx.params_.emplace_back(param.name, param.raw_value);
      continue;
    }
    std::string& decoded = ctx.decoded_.emplace_front();
    if (!http::percent_decode(param.raw_value, decoded, false)) return false;
    ctx.params_.emplace_back(param.name, decoded);
  }
  return true;
}

bool AppCore::can_run_sync(const Context& ctx) const noexcept {
  if (ctx.match_kind_ == kWebSocket) return false;
  if (ctx.match_kind_ != static_cast<std::uint8_t>(RouteTree::Match::Kind::found)) {
    return global_chain_.empty();
  }
  const CompiledRoute& route = routes_[ctx.route_id_];
  return route.chain.empty() && route.handler.is_sync();
}

const AppCore::Chain& AppCore::chain_of(const Context& ctx) const noexcept {
  return ctx.route_ ? routes_[ctx.route_id_].chain : global_chain_;
}

Response AppCore::run_sync(Context& ctx) const {
  try {
    if (ctx.match_kind_ == static_cast<std::uint8_t>(RouteTree::Match::Kind::found)) {
      return routes_[ctx.route_id_].handler.sync()(ctx);
    }
    return answer_unrouted(ctx);
  } catch (...) {
    return response_for_exception(ctx, std::current_exception());
  }
}

Task<Response> AppCore::run(Context& ctx) const {
  prepare_chain(ctx);
  std::exception_ptr failure;
  try {
    co_return co_await run_from(ctx, 0);
  } catch (...) {
    failure = std::current_exception();
  }
  co_return response_for_exception(ctx, failure);
}

Task<Response> AppCore::run_from(Context& ctx, std::size_t index) const {
  const Chain& chain = chain_of(ctx);
  if (index >= chain.size()) return run_route(ctx);
  // The Next comes from the Context, not a temporary: a middleware taking it by const
  // reference calls it after suspending, when a temporary of this call would be gone.
  return (*chain[index])(ctx, ctx.chain_[index]);
}

void AppCore::prepare_chain(Context& ctx) const {
  // Next i only says "continue at i + 1", so the ones built for an earlier request still fit.
  for (std::size_t i = ctx.chain_.size(); i < chain_of(ctx).size(); ++i) {
    ctx.chain_.push_back(Next(*this, ctx, i + 1));
  }
}

Task<Response> AppCore::run_route(Context& ctx) const {
  if (ctx.match_kind_ == kWebSocket) co_return co_await run_upgrade(ctx);
  if (ctx.match_kind_ != static_cast<std::uint8_t>(RouteTree::Match::Kind::found)) {
    co_return answer_unrouted(ctx);
  }
  const Handler& handler = routes_[ctx.route_id_].handler;
  if (handler.is_sync()) co_return handler.sync()(ctx);
  co_return co_await handler.async()(ctx);
}

Task<Response> AppCore::run_upgrade(Context& ctx) const {
  const auto& endpoint = routes_[ctx.route_id_].endpoint;
  if (auto refusal = check_handshake(ctx, error_format_)) co_return std::move(*refusal);
  UpgradeDecision decision = co_await endpoint->decide(ctx);
  if (!decision.allowed) co_return library_error(403);
  co_return accept_upgrade(ctx, endpoint, std::move(decision));
}

Response AppCore::answer_unrouted(Context& ctx) const {
  if (ctx.match_kind_ == kMalformedPath) {
    return library_error(400, "Malformed percent-encoding in path");
  }
  if (ctx.match_kind_ == static_cast<std::uint8_t>(RouteTree::Match::Kind::method_not_allowed)) {
    Response response = library_error(405);
    response.headers.emplace_back("Allow", ctx.allow_);
    return response;
  }
  bool readable = ctx.method() == http::Method::get || ctx.method() == http::Method::head;
  if (readable && !public_dir_.empty() && is_public_path(ctx.path())) {
    if (auto path = public_file_path(public_dir_, ctx.path())) {
      Response response;
      response.file_path = std::move(*path);
      return response;
    }
  }
  return library_error(404);
}

namespace {
const std::pair<std::string, std::string>* first_unsafe(const Headers& headers) noexcept {
  for (const auto& header : headers) {
    if (!http::is_safe_field(header.first, header.second)) return &header;
  }
  return nullptr;
}
}  // namespace

void AppCore::refuse_unsafe_headers(Response& response, Context& ctx) const {
  // The response's own list is public, so headers may be pushed into it unchecked.
  // Context::add_response_header and set_cookie check what they add, but the context's list is
  // looked at too: a connection that could not write a head relies on this finding why.
  const auto* unsafe = first_unsafe(response.headers);
  if (!unsafe) unsafe = first_unsafe(ctx.response_headers_);
  if (!unsafe) return;
  log(std::string("Error in ") + std::string(ctx.method_name()) + " " + std::string(ctx.path()) +
      ": response header \"" + unsafe->first +
      "\" would break the header section (CR, LF or NUL, or ':' in its name)");
  ctx.response_headers_.clear();
  response = library_error(500);
}

Response AppCore::response_for_exception(const Context& ctx, std::exception_ptr failure) const {
  try {
    std::rethrow_exception(failure);
  } catch (const HttpError& e) {
    return library_error(e.status(), e.what());
  } catch (const std::exception& e) {
    log(std::string("Error in ") + std::string(ctx.method_name()) + " " +
        std::string(ctx.path()) + ": " + e.what());
  } catch (...) {
    log(std::string("Error in ") + std::string(ctx.method_name()) + " " +
        std::string(ctx.path()) + ": unknown exception");
  }
  return library_error(500);
}

}  // namespace pulsarcpp::detail

namespace pulsarcpp {
Task<Response> Next::operator()() const { return app_->run_from(*ctx_, index_); }

RouteMatch Context::route_match() const noexcept {
  using Kind = detail::RouteTree::Match::Kind;
  if (route_) return RouteMatch::found;
  if (match_kind_ == static_cast<std::uint8_t>(Kind::method_not_allowed)) {
    return RouteMatch::method_not_allowed;
  }
  if (match_kind_ == static_cast<std::uint8_t>(Kind::not_found)) return RouteMatch::not_found;
  return RouteMatch::malformed_path;
}
}  // namespace pulsarcpp
