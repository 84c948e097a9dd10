#pragma once
// The HTTP side of a WebSocket upgrade (RFC 6455 §4.2): checking the client's handshake and
// building the 101 answer, with subprotocol and permessage-deflate negotiated.

#include <memory>
#include <optional>
#include <string>

#include "pulsarcpp/context.hpp"
#include "pulsarcpp/detail/websocket_endpoint.hpp"
#include "pulsarcpp/response.hpp"
#include "ws/extension.hpp"

namespace pulsarcpp::detail {

/// Carried by the 101 response to the connection, which becomes a WebSocket with it.
struct UpgradeTicket {
  std::shared_ptr<const WsEndpoint> endpoint;
  std::unique_ptr<WebSocketBase> socket;
  std::optional<ws::DeflateParams> deflate;  // set when permessage-deflate was agreed
  std::string subprotocol;
};

/// The refusal for a request that is not a valid opening handshake, or nullopt:
/// 405 (not GET), 426 with Upgrade (no upgrade headers), 426 with Sec-WebSocket-Version: 13
/// (another version), 400 (no Connection: upgrade, a bad key, HTTP/1.0).
std::optional<Response> check_handshake(const Context& ctx, ErrorFormat format);

/// The 101 answer for an allowed upgrade.
Response accept_upgrade(const Context& ctx, std::shared_ptr<const WsEndpoint> endpoint,
                        UpgradeDecision decision);

}  // namespace pulsarcpp::detail
