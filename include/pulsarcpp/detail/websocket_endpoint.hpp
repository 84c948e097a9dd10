#pragma once
// The bridge between a typed WebSocketBehavior<T> and the untyped server: the server sees a
// WsEndpoint; the template below casts back to WebSocket<T> when it calls the user's handlers.

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "pulsarcpp/websocket.hpp"

namespace pulsarcpp::detail {

/// The options of an endpoint, without the handlers.
struct WsSettings {
  std::string path;
  std::size_t max_payload_length = 0;
  std::size_t backpressure_limit = 0;
  bool close_on_backpressure_limit = false;
  std::chrono::seconds idle_timeout{0};
  bool send_pings = true;
  bool publish_to_self = false;
  PerMessageDeflate per_message_deflate;
  std::vector<std::string> subprotocols;
};

struct UpgradeDecision {
  bool allowed = false;  // false -> 403
  Headers headers;
  std::unique_ptr<WebSocketBase> socket;  // holds the data; attached to a connection later
};

class WsEndpoint {
 public:
  explicit WsEndpoint(WsSettings settings) : settings_(std::move(settings)) {}
  virtual ~WsEndpoint() = default;
  const WsSettings& settings() const noexcept { return settings_; }

  /// can_upgrade, then upgrade.
  virtual Task<UpgradeDecision> decide(Context& ctx) const = 0;
  virtual void on_open(WebSocketBase& socket) const = 0;
  virtual void on_message(WebSocketBase& socket, Message message) const = 0;
  virtual void on_close(WebSocketBase& socket, int code, std::string_view reason) const = 0;
  virtual void on_drain(WebSocketBase& socket) const = 0;
  virtual void on_ping(WebSocketBase& socket, std::string_view data) const = 0;
  virtual void on_pong(WebSocketBase& socket, std::string_view data) const = 0;
  virtual void on_error(WebSocketBase& socket, std::exception_ptr error) const = 0;
  virtual bool has_drain() const noexcept = 0;
  virtual bool has_error_handler() const noexcept = 0;

 private:
  WsSettings settings_;
};

template <class T>
class TypedWsEndpoint final : public WsEndpoint {
 public:
  explicit TypedWsEndpoint(WebSocketBehavior<T> behavior)
      : WsEndpoint(settings_of(behavior)), behavior_(std::move(behavior)) {}

  Task<UpgradeDecision> decide(Context& ctx) const override {
    UpgradeDecision decision;
    if (behavior_.options.can_upgrade) {
      bool allowed = co_await behavior_.options.can_upgrade(ctx);
      if (!allowed) co_return decision;
    }
    decision.allowed = true;
    if (behavior_.options.upgrade) {
      UpgradeResult<T> result = co_await behavior_.options.upgrade(ctx);
      decision.headers = std::move(result.headers);
      decision.socket = std::make_unique<WebSocket<T>>(std::move(result.data));
    } else {
      static_assert(std::is_default_constructible_v<T>,
                    "without options.upgrade the socket data must be default-constructible");
      decision.socket = std::make_unique<WebSocket<T>>(T{});
    }
    co_return decision;
  }

  void on_open(WebSocketBase& socket) const override {
    if (behavior_.open) behavior_.open(typed(socket));
  }
  void on_message(WebSocketBase& socket, Message message) const override {
    if (behavior_.message) behavior_.message(typed(socket), message);
  }
  void on_close(WebSocketBase& socket, int code, std::string_view reason) const override {
    if (behavior_.close) behavior_.close(typed(socket), code, reason);
  }
  void on_drain(WebSocketBase& socket) const override {
    if (behavior_.drain) behavior_.drain(typed(socket));
  }
  void on_ping(WebSocketBase& socket, std::string_view data) const override {
    if (behavior_.ping) behavior_.ping(typed(socket), data);
  }
  void on_pong(WebSocketBase& socket, std::string_view data) const override {
    if (behavior_.pong) behavior_.pong(typed(socket), data);
  }
  void on_error(WebSocketBase& socket, std::exception_ptr error) const override {
    if (behavior_.error) behavior_.error(typed(socket), error);
  }
  bool has_drain() const noexcept override { return static_cast<bool>(behavior_.drain); }
  bool has_error_handler() const noexcept override { return static_cast<bool>(behavior_.error); }

 private:
  // Every socket of this endpoint was made as a WebSocket<T> by decide().
  static WebSocket<T>& typed(WebSocketBase& socket) { return static_cast<WebSocket<T>&>(socket); }

  static WsSettings settings_of(const WebSocketBehavior<T>& b) {
    return WsSettings{b.path,          b.max_payload_length,  b.backpressure_limit,
                      b.close_on_backpressure_limit, b.idle_timeout, b.send_pings,
                      b.publish_to_self, b.per_message_deflate, b.subprotocols};
  }

  WebSocketBehavior<T> behavior_;
};

}  // namespace pulsarcpp::detail
