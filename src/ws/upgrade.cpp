#include "ws/upgrade.hpp"

#include "pulsarcpp/http/request_head.hpp"
#include "ws/handshake.hpp"

namespace pulsarcpp::detail {
namespace {

// Repeated headers count as one comma-separated list (RFC 9110 §5.3).
std::string joined_header(const Context& ctx, std::string_view name) {
  std::string joined;
  for (const auto& header : ctx.headers()) {
    if (!http::iequals(header.name, name)) continue;
    if (!joined.empty()) joined.push_back(',');
    joined.append(header.value);
  }
  return joined;
}

Response refuse(ErrorFormat format, int status, std::string_view header = {},
               std::string_view value = {}) {
  Response response = library_error(status, {}, format);
  if (!header.empty()) response.headers.emplace_back(header, value);
  return response;
}

ws::DeflateOptions deflate_options(const PerMessageDeflate& options) {
  auto mode = [](DeflateMode m) {
    switch (m) {
      case DeflateMode::disable: return ws::DeflateMode::disable;
      case DeflateMode::shared: return ws::DeflateMode::shared;
      case DeflateMode::dedicated: return ws::DeflateMode::dedicated;
    }
    return ws::DeflateMode::disable;
  };
  return {options.enabled, mode(options.compress), options.compress_window_bits,
          mode(options.decompress), options.decompress_window_bits};
}

}  // namespace

std::optional<Response> check_handshake(const Context& ctx, ErrorFormat format) {
  if (ctx.method() != http::Method::get) return refuse(format, 405, "Allow", "GET");
  if (!http::has_token(joined_header(ctx, "upgrade"), "websocket")) {
    return refuse(format, 426, "Upgrade", "websocket");
  }
  if (!http::has_token(joined_header(ctx, "connection"), "upgrade")) return refuse(format, 400);
  if (ctx.request_head().version_minor == 0) return refuse(format, 400);
  if (ctx.header("sec-websocket-version") != "13") {
    return refuse(format, 426, "Sec-WebSocket-Version", "13");
  }
  if (!ws::is_valid_client_key(ctx.header("sec-websocket-key"))) return refuse(format, 400);
  return std::nullopt;
}

Response accept_upgrade(const Context& ctx, std::shared_ptr<const WsEndpoint> endpoint,
                        UpgradeDecision decision) {
  char accept[ws::kAcceptKeySize];
  if (!ws::write_accept_key(ctx.header("sec-websocket-key"), accept)) return error(500);
  Response response(101);
  response.headers.reserve(decision.headers.size() + 4);
  response.headers.emplace_back("Upgrade", "websocket");
  response.headers.emplace_back("Sec-WebSocket-Accept", std::string_view(accept, sizeof accept));
  auto ticket = std::make_shared<UpgradeTicket>();
  const WsSettings& settings = endpoint->settings();
  if (!settings.subprotocols.empty()) {
    if (auto chosen = ws::select_subprotocol(joined_header(ctx, "sec-websocket-protocol"),
                                             settings.subprotocols)) {
      ticket->subprotocol = std::string(*chosen);
      response.headers.emplace_back("Sec-WebSocket-Protocol", ticket->subprotocol);
    }
  }
  if (settings.per_message_deflate.enabled) {
    ws::DeflateNegotiation agreed = ws::negotiate_deflate(
        joined_header(ctx, "sec-websocket-extensions"), deflate_options(settings.per_message_deflate));
    if (agreed.accepted) {
      ticket->deflate = agreed.params;
      response.headers.emplace_back("Sec-WebSocket-Extensions", std::move(agreed.response));
    }
  }
  for (auto& header : decision.headers) response.headers.push_back(std::move(header));
  ticket->endpoint = std::move(endpoint);
  ticket->socket = std::move(decision.socket);
  response.upgrade = std::move(ticket);
  return response;
}

}  // namespace pulsarcpp::detail
