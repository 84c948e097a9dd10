#pragma once
// WebSocket endpoints with Bun's ServerWebSocket API and topic pub/sub.
//
//   start<std::string>({
//     .websocket = {
//       .open = [](auto& ws) { ws.send("Welcome!"); ws.subscribe("chat"); },
//       .message = [](auto& ws, Message m) { ws.publish("chat", m.data); },
//       .options = {.upgrade = [](Context& ctx) {
//                     return UpgradeResult<std::string>{.data = ctx.query("name").value_or("")};
//                   }},
//     },
//   });
//
// Every WebSocket member is used from the connection's own loop thread (its handlers run
// there); Server::publish and Server::subscriber_count may be called from any thread.

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "pulsarcpp/context.hpp"
#include "pulsarcpp/response.hpp"
#include "pulsarcpp/task.hpp"

namespace pulsarcpp {

class Server;

namespace detail {
class WsConnection;
}

enum class ReadyState : int { connecting = 0, open = 1, closing = 2, closed = 3 };

/// A received message: text (valid UTF-8) or binary, told apart by `binary`.
struct Message {
  std::string_view data = {};
  bool binary = false;
};

/// How one direction of permessage-deflate works (Bun's names).
enum class DeflateMode : std::uint8_t {
  /// compress: never compress. decompress: decline permessage-deflate altogether.
  disable,
  /// One zlib stream per loop thread, reset after every message: no memory per connection.
  shared,
  /// One zlib stream per connection keeping its window (better ratio, more memory).
  dedicated,
};

/// RFC 7692 permessage-deflate. Off by default, as in Bun. When on, the default answer is
/// `permessage-deflate; client_no_context_takeover; server_no_context_takeover`.
struct PerMessageDeflate {
  bool enabled = false;
  DeflateMode compress = DeflateMode::shared;    // server -> client
  std::uint8_t compress_window_bits = 15;        // dedicated: 9..15
  DeflateMode decompress = DeflateMode::shared;  // client -> server
  std::uint8_t decompress_window_bits = 15;      // dedicated: 8..15
};

/// Whether `text` is valid UTF-8 (RFC 3629: no overlong forms, surrogates or code points past
/// U+10FFFF), as WebSocket text must be: send_text and publish refuse anything else.
bool is_valid_utf8(std::string_view text) noexcept;

/// The untyped part of a server-side WebSocket (Bun's ServerWebSocket).
class WebSocketBase {
 public:
  virtual ~WebSocketBase() = default;
  WebSocketBase(const WebSocketBase&) = delete;
  WebSocketBase& operator=(const WebSocketBase&) = delete;

  /// Sends a text message. Returns the bytes queued; -1 when queued under backpressure (the
  /// socket could not take earlier data); 0 when dropped (over backpressure_limit, or closed).
  /// Text must be valid UTF-8 (RFC 6455 §5.6): other bytes throw std::invalid_argument and
  /// are not sent (send them with send_binary). The same holds for publish and publish_text.
  int send(std::string_view text, bool compress = false) { return send_text(text, compress); }
  int send_text(std::string_view text, bool compress = false);
  int send_binary(std::string_view bytes, bool compress = false);

  /// Sends to every subscriber of `topic` on every loop but this socket (unless
  /// publish_to_self). Works without being subscribed. Returns the message size, or 0 when
  /// closed or when nobody else (itself included with publish_to_self) is subscribed, as Bun.
  int publish(std::string_view topic, std::string_view text, bool compress = false) {
    return publish_text(topic, text, compress);
  }
  int publish_text(std::string_view topic, std::string_view text, bool compress = false);
  int publish_binary(std::string_view topic, std::string_view bytes, bool compress = false);

  /// True even if already subscribed (false once closed).
  bool subscribe(std::string_view topic);
  /// True only if it was subscribed.
  bool unsubscribe(std::string_view topic);
  bool is_subscribed(std::string_view topic) const;
  /// The topics, in subscription order; empty inside the close handler.
  std::vector<std::string> subscriptions() const;

  /// Runs `fn`; everything it sends leaves in one write. Returns what `fn` returns.
  template <class F>
  decltype(auto) cork(F&& fn) {
    CorkScope scope(*this);
    return std::forward<F>(fn)();
  }

  /// Starts the closing handshake; `reason` is cut to 123 bytes (on a UTF-8 boundary), and
  /// left out when it is not valid UTF-8. The close handler runs once, when the connection is
  /// closed.
  void close(int code = 1000, std::string_view reason = {});
  /// Closes the TCP connection at once, without a close frame; the close handler gets 1006.
  void terminate();
  /// Control frames; payloads over 125 bytes are cut. Return as send().
  int ping(std::string_view data = {});
  int pong(std::string_view data = {});

  ReadyState ready_state() const noexcept;
  std::string_view remote_address() const noexcept;
  /// Bytes queued and not yet taken by the socket.
  std::size_t buffered_amount() const noexcept;
  /// The subprotocol chosen during the handshake, or empty.
  std::string_view subprotocol() const noexcept;
  /// The server this socket belongs to.
  Server& server() const noexcept;

 protected:
  WebSocketBase() = default;

 private:
  friend class detail::WsConnection;
  struct CorkScope {
    explicit CorkScope(WebSocketBase& socket);
    ~CorkScope();
    WebSocketBase& socket;
  };
  detail::WsConnection* connection_ = nullptr;
};

/// A WebSocket carrying the `data` its upgrade() returned.
template <class T>
class WebSocket final : public WebSocketBase {
 public:
  explicit WebSocket(T value) : data_(std::move(value)) {}
  T& data() noexcept { return data_; }
  const T& data() const noexcept { return data_; }

 private:
  T data_;
};

/// What upgrade() returns: headers for the 101 answer (Set-Cookie works) and the socket's data.
template <class T>
struct UpgradeResult {
  Headers headers = {};
  T data = {};
};

/// A callable taking Context& and returning R or Task<R> (plain functions and coroutines).
template <class R>
class ContextCallable {
 public:
  ContextCallable() = default;
  // Unconstrained, so that a function of the wrong shape meets one static_assert naming the
  // right one.
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, ContextCallable>)
  ContextCallable(F function) {  // NOLINT(google-explicit-constructor)
    if constexpr (!std::is_invocable_v<F&, Context&>) {
      static_assert(std::is_invocable_v<F&, Context&>,
                    "options.can_upgrade is bool(Context&) or Task<bool>(Context&); options.upgrade is "
                    "UpgradeResult<T>(Context&) or Task<UpgradeResult<T>>(Context&)");
    } else {
      using Result = std::invoke_result_t<F&, Context&>;
      if constexpr (std::is_same_v<Result, Task<R>>) {
        async_ = std::move(function);
      } else if constexpr (std::is_convertible_v<Result, R>) {
        sync_ = [f = std::move(function)](Context& ctx) mutable { return R(f(ctx)); };
      } else {
        static_assert(std::is_convertible_v<Result, R>,
                      "options.can_upgrade is bool(Context&) or Task<bool>(Context&); options.upgrade is "
                    "UpgradeResult<T>(Context&) or Task<UpgradeResult<T>>(Context&)");
      }
    }
  }
  explicit operator bool() const noexcept { return sync_ || async_; }
  Task<R> operator()(Context& ctx) const {
    if (async_) return async_(ctx);
    return ready(sync_(ctx));
  }

 private:
  static Task<R> ready(R value) { co_return value; }
  std::function<R(Context&)> sync_;
  std::function<Task<R>(Context&)> async_;
};

/// Pulsar's websocket.options.
template <class T>
struct UpgradeOptions {
  /// false -> 403 Forbidden. Unset: every upgrade is allowed.
  ContextCallable<bool> can_upgrade = {};
  /// Headers and data for the socket. Unset: no headers, a default-constructed T.
  ContextCallable<UpgradeResult<T>> upgrade = {};
};

/// A WebSocket handler: a std::function whose constructor meets a function of the wrong shape
/// with one static_assert naming every handler's shape, not a page of failed conversions.
template <class Signature>
class WsHandler;
template <class... Args>
class WsHandler<void(Args...)> : public std::function<void(Args...)> {
 public:
  WsHandler() = default;
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, WsHandler>)
  WsHandler(F function) {  // NOLINT(google-explicit-constructor): written inline
    constexpr bool fits = std::is_invocable_v<F&, Args...>;
    static_assert(fits,
                  "WebSocket handlers take the socket (WebSocket<T>&, T as in upgrade()) and: "
                  "open(ws), message(ws, Message), close(ws, int code, std::string_view reason), "
                  "drain(ws), ping(ws, std::string_view), pong(ws, std::string_view), "
                  "error(ws, std::exception_ptr)");
    if constexpr (fits) std::function<void(Args...)>::operator=(std::move(function));
  }
};

/// Bun's websocket handlers and options, plus Pulsar's options and a path.
template <class T>
struct WebSocketBehavior {
  /// The endpoint's path (Pulsar: always /ws).
  std::string path = "/ws";
  WsHandler<void(WebSocket<T>&)> open = {};
  WsHandler<void(WebSocket<T>&, Message)> message = {};
  /// code: the client's (1005 when it sent none), 1006 when the connection was lost, timed out
  /// or terminated; reason: the client's.
  WsHandler<void(WebSocket<T>&, int code, std::string_view reason)> close = {};
  /// The send buffer was emptied after backpressure.
  WsHandler<void(WebSocket<T>&)> drain = {};
  WsHandler<void(WebSocket<T>&, std::string_view data)> ping = {};
  WsHandler<void(WebSocket<T>&, std::string_view data)> pong = {};
  /// A handler threw; the socket is then closed with 1011 (Bun would end the process). Without
  /// one, the error is logged; with one, it is this handler's to report.
  WsHandler<void(WebSocket<T>&, std::exception_ptr)> error = {};
  UpgradeOptions<T> options = {};

  /// Largest message in bytes (after decompression); one more closes with 1009. Values above
  /// 4 GiB - 1 act as 4 GiB - 1, as in uWebSockets.
  std::size_t max_payload_length = 16 * 1024 * 1024;
  /// Bytes a socket may have queued; sends beyond are dropped (0). 0 = no limit.
  std::size_t backpressure_limit = 16 * 1024 * 1024;
  /// Over the limit, end the connection (the close handler gets 1006) instead of dropping.
  bool close_on_backpressure_limit = false;
  /// Close after this long without receiving anything; 0 disables.
  std::chrono::seconds idle_timeout{120};
  /// Ping before the idle timeout so live clients keep the socket open.
  bool send_pings = true;
  /// publish() from a socket also reaches itself.
  bool publish_to_self = false;
  PerMessageDeflate per_message_deflate = {};
  /// Subprotocols this endpoint speaks, preferred first (Sec-WebSocket-Protocol).
  std::vector<std::string> subprotocols = {};

  /// An endpoint exists when any handler is set.
  bool active() const noexcept { return open || message || close; }
};

}  // namespace pulsarcpp
