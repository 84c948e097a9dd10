#pragma once
// A WebSocket connection after the 101: reads frames (RFC 6455 with permessage-deflate), calls
// the endpoint's handlers, writes what they send in one write per loop iteration, and keeps its
// topic subscriptions. Created by the HTTP connection it replaces, on the same loop and socket.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <span>
#include "net/event_loop.hpp"
#include "net/timer_wheel.hpp"
#include "pulsarcpp/websocket.hpp"
#include "server/loop_context.hpp"
#include "ws/deflate.hpp"
#include "ws/frame_reader.hpp"
#include "ws/topic_table.hpp"
#include "ws/upgrade.hpp"

namespace pulsarcpp::detail {

// Flushable comes last: the small members declared first fill its tail padding.
class WsConnection final : public net::IoHandler,
                           public net::WheelTimer,
                           public ws::Subscriber,
                           public net::ListLink<WsConnection>,
                           public net::Flushable {
 public:
  WsConnection(LoopContext& loop, int fd, UpgradeTicket&& ticket, std::string remote_address);
  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  /// Takes over the socket (already registered with the loop by the HTTP connection) with the
  /// bytes the client sent after its handshake and the unsent part of the 101 answer.
  void start(std::string_view early_input, std::string_view unsent_output);
  /// Graceful server stop: close with 1001.
  void go_away();

  // The operations behind WebSocketBase.
  int send(ws::Opcode opcode, std::string_view payload, bool compress);
  int publish(std::string_view topic, ws::Opcode opcode, std::string_view payload, bool compress);
  bool subscribe(std::string_view topic);
  bool unsubscribe(std::string_view topic);
  bool is_subscribed(std::string_view topic) const;
  /// The topics subscribed to, in the order of subscription.
  std::vector<std::string> topics() const;
  void close(int code, std::string_view reason);
  void terminate();
  int control(ws::Opcode opcode, std::string_view payload);
  ReadyState ready_state() const noexcept { return state_; }
  std::string_view remote_address() const noexcept { return remote_address_; }
  std::size_t buffered_amount() const noexcept { return output_.size() - output_sent_; }
  std::string_view subprotocol() const noexcept {
    return extras_ ? std::string_view(extras_->subprotocol) : std::string_view();
  }
  Server& server() const noexcept { return *ctx_.server; }
  void cork_begin() noexcept { ++cork_depth_; }
  void cork_end();

  void on_io(std::uint32_t events) override;
  int receive_fd() const noexcept override;
  void flush() override;
  net::PendingOutput pending_output() const noexcept override;
  void output_sent(std::size_t bytes) noexcept override;
  void on_timer_expired() override;
  void deliver(const ws::PublishedMessage& message) override;
  std::size_t& slot_in(std::string_view topic) override;

 private:
  void read_input();
  ssize_t receive(char* space, std::size_t& room);
  void handle_frames(std::span<char> input);
  void handle_event(const ws::ReadEvent& event);
  void on_peer_close(std::uint16_t code, std::string_view reason);
  void fail(std::uint16_t code, std::string_view reason);
  template <class Call>
  void call_handler(Call&& call);
  /// Whether one more message may be queued under backpressure_limit (a refusal may close the
  /// connection, per close_on_backpressure_limit).
  bool admit();
  int queue_frame(ws::Opcode opcode, std::string_view payload, bool compress);
  bool append_compressed(ws::Opcode opcode, std::string_view payload);
  void queue_close_frame(std::uint16_t code, std::string_view reason);
  void request_flush();
  bool send_output(int flags = 0);
  int last_send_flags() const noexcept;
  void update_interest();
  void arm_idle_timer();
  // graceful: a close frame is queued; send it and wait for the client's FIN before closing.
  enum class Ending { abrupt, graceful };
  void finish(int code, std::string_view reason, Ending ending = Ending::abrupt);
  void start_lingering();
  void continue_lingering();
  void linger_io(std::uint32_t events);
  void discard_input();
  void end_lingering();
  void set_interest(std::uint32_t wanted);
  void release_socket();

  // What few connections need, or need only now and then: a subprotocol, compression streams
  // of their own, a frame split by a read, the close frame sent. Allocated on first use, so an
  // idle plain socket stays small (an idle chat server holds tens of thousands).
  struct Extras {
    std::string subprotocol;
    std::optional<ws::Inflater> own_inflater;  // dedicated mode only
    std::optional<ws::Deflater> own_deflater;  // dedicated mode only
    std::string pending;  // an incomplete frame header or control frame from the last read
    std::uint16_t sent_close_code = 0;  // close(): what went out, for a client that never answers
    std::string sent_close_reason;
  };
  Extras& extras();
  std::string_view pending() const noexcept {
    return extras_ ? std::string_view(extras_->pending) : std::string_view();
  }
  void keep_pending(std::string_view rest);
  ws::Deflater* own_deflater() const noexcept {
    return extras_ && extras_->own_deflater ? &*extras_->own_deflater : nullptr;
  }

  struct Subscription {
    std::string topic;
    std::size_t slot = 0;  // in the loop's TopicTable list for the topic
  };
  std::vector<Subscription>::const_iterator find_subscription(std::string_view topic) const noexcept;

  // Small members first (they fit in Flushable's tail padding), then by size, so that padding
  // does not grow the object: an idle server holds one per connection.
  ReadyState state_ = ReadyState::open;
  bool write_blocked_ : 1 = false;
  bool backpressured_ : 1 = false;  // drain is due once the output empties
  bool finished_ : 1 = false;
  bool lingering_ : 1 = false;
  bool write_shut_ : 1 = false;
  bool ping_outstanding_ : 1 = false;
  bool peer_sent_close_ : 1 = false;  // nothing but the client's FIN can follow
  bool input_drained_ : 1 = false;    // the last read left nothing in the socket
  std::uint16_t cork_depth_ = 0;

  int fd_;
  std::uint32_t interest_ = 0;
  std::optional<ws::DeflateParams> deflate_;
  LoopContext& ctx_;
  const WsEndpoint* endpoint_;  // owned by the app, which outlives every connection
  std::unique_ptr<WebSocketBase> socket_;
  std::unique_ptr<Extras> extras_;
  std::string remote_address_;
  ws::FrameReader reader_;
  std::string output_;
  std::size_t output_sent_ = 0;
  std::vector<Subscription> topics_;
  std::int64_t last_activity_ms_ = 0;
};

}  // namespace pulsarcpp::detail
