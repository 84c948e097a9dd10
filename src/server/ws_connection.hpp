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

class WsConnection final : public net::IoHandler,
                           public net::Flushable,
                           public net::WheelTimer,
                           public ws::Subscriber,
                           public net::ListLink<WsConnection> {
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
  const std::vector<std::string>& topics() const noexcept { return topics_; }
  void close(int code, std::string_view reason);
  void terminate();
  int control(ws::Opcode opcode, std::string_view payload);
  ReadyState ready_state() const noexcept { return state_; }
  std::string_view remote_address() const noexcept { return remote_address_; }
  std::size_t buffered_amount() const noexcept { return output_.size() - output_sent_; }
  std::string_view subprotocol() const noexcept { return subprotocol_; }
  Server& server() const noexcept { return *ctx_.server; }
  void cork_begin() noexcept { ++cork_depth_; }
  void cork_end();

  void on_io(std::uint32_t events) override;
  void flush() override;
  void on_timer_expired() override;
  void deliver(const ws::PublishedMessage& message) override;

 private:
  void read_input();
  void handle_frames(std::span<char> input);
  void handle_event(const ws::ReadEvent& event);
  void on_peer_close(std::uint16_t code, std::string_view reason);
  void fail(std::uint16_t code, std::string_view reason);
  template <class Call>
  void call_handler(Call&& call);
  bool admit(std::size_t bytes);
  int queue_frame(ws::Opcode opcode, std::string_view payload, bool compress);
  bool append_compressed(ws::Opcode opcode, std::string_view payload);
  void queue_close_frame(std::uint16_t code, std::string_view reason);
  void request_flush();
  bool send_output();
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

  LoopContext& ctx_;
  int fd_;
  std::shared_ptr<const WsEndpoint> endpoint_;
  std::unique_ptr<WebSocketBase> socket_;
  std::string remote_address_;
  std::string subprotocol_;

  ws::FrameReader reader_;
  std::optional<ws::DeflateParams> deflate_;
  std::optional<ws::Inflater> own_inflater_;  // dedicated mode only
  std::optional<ws::Deflater> own_deflater_;  // dedicated mode only

  std::string pending_;  // an incomplete frame header or control frame from the last read
  std::string output_;
  std::size_t output_sent_ = 0;
  bool write_blocked_ = false;
  bool backpressured_ = false;  // drain is due once the output empties
  int cork_depth_ = 0;
  std::uint32_t interest_ = 0;

  ReadyState state_ = ReadyState::open;
  bool finished_ = false;
  bool lingering_ = false;
  bool write_shut_ = false;
  std::int64_t last_activity_ms_ = 0;
  std::int64_t close_deadline_ms_ = 0;  // closing: when to give up waiting for the echo
  bool ping_outstanding_ = false;
  std::uint16_t sent_close_code_ = 0;
  std::string sent_close_reason_;

  std::vector<std::string> topics_;
};

}  // namespace pulsarcpp::detail
