#pragma once
// The server's part of the RFC 6455 §4.2 opening handshake that is pure computation: the
// Sec-WebSocket-Accept value, the check of the client's key, and subprotocol selection.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pulsarcpp::ws {

/// Length of a Sec-WebSocket-Accept value: base64 of a 20-byte SHA-1 digest.
inline constexpr std::size_t kAcceptKeySize = 28;

/// Loads the SHA-1 implementation ahead of the first handshake, so a server pays the one-time
/// cost (about 2 MB of libcrypto touched) at start. False if OpenSSL cannot provide it.
bool prepare_accept_key() noexcept;

/// Writes base64(SHA-1(key + RFC 6455 GUID)) to `out` (exactly kAcceptKeySize bytes, no NUL).
/// Returns false only if OpenSSL fails, which the caller answers with 500.
bool write_accept_key(std::string_view sec_websocket_key, char* out) noexcept;

/// The same as a string; empty if OpenSSL fails.
std::string compute_accept_key(std::string_view sec_websocket_key);

/// True when `key` is base64 of exactly 16 bytes: 22 alphabet characters then "==".
bool is_valid_client_key(std::string_view key) noexcept;

/// Chooses the subprotocol to answer in Sec-WebSocket-Protocol: the first entry of `server`
/// (the server's order of preference) that appears in `client_header`, the client's
/// comma-separated list (repeated headers joined with ","). Names compare case-sensitively, as
/// RFC 6455 §11.3.4 registers them. Returns a view into `server`, or nullopt for none.
std::optional<std::string_view> select_subprotocol(
    std::string_view client_header, std::span<const std::string_view> server) noexcept;
std::optional<std::string_view> select_subprotocol(std::string_view client_header,
                                                   std::span<const std::string> server) noexcept;

}  // namespace pulsarcpp::ws
