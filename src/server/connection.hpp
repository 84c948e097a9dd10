#pragma once
// One HTTP/1.1 connection: reads requests, runs them through the app in order (pipelining),
// and writes everything a read produced in one send. A request whose handler suspends holds
// the connection (no further reads) until its response is queued, which keeps the views of the
// request valid and answers pipelined requests in order.

#include <sys/types.h>

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>

#include "http/chunked_decoder.hpp"
#include "http/parser.hpp"
#include "net/byte_buffer.hpp"
#include "net/event_loop.hpp"
#include "net/timer_wheel.hpp"
#include "pulsarcpp/context.hpp"
#include "server/loop_context.hpp"
#include "server/response_head.hpp"
#include "ws/upgrade.hpp"

namespace pulsarcpp::detail {

class HttpConnection final : public net::IoHandler,
                             public net::Flushable,
                             public net::WheelTimer,
                             public net::ListLink<HttpConnection> {
 public:
  HttpConnection(LoopContext& loop, int fd, std::string remote_address, std::uint16_t remote_port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  /// Registers with the loop; returns false (and closes) when that fails.
  bool start();
  /// Graceful stop: close now when idle, else after the response in flight.
  void drain();
  /// Immediate close (shutdown timeout).
  void abort() { close(); }

  void on_io(std::uint32_t events) override;
  int receive_fd() const noexcept override;
  void flush() override;
  net::PendingOutput pending_output() const noexcept override;
  void output_sent(std::size_t bytes) noexcept override;
  void on_timer_expired() override;

 private:
  enum class Step { next, wait, stop };

  void read_input();
  ssize_t receive(std::size_t& room);
  void process_requests();
  Step process_one();
  Step wait_for_body(std::size_t head_bytes);
  /// How many raw bytes a chunked body may take while it arrives.
  std::size_t raw_chunked_limit() const noexcept;
  void dispatch(std::size_t request_bytes, std::string_view body);
  void finish_request();
  void release_large_idle_input();
  bool reading_allowed() const noexcept;
  void check_departure();
  bool watching_departure() const noexcept;
  ConnectionHeader connection_header() const noexcept;
  std::string_view date_line() noexcept;
  void finish_async(Response response);
  void queue_response(Response response);
  void queue_protocol_error(int status);
  void hand_off_to_websocket();
  Task<void> pump_stream(std::shared_ptr<AsyncGenerator<std::string>> generator);
  bool send_output();
  bool send_file();
  void update_interest();
  void arm_timer();
  void close();
  void close_after_reading();
  void discard_input();
  void destroy_when_idle();
  bool idle() const noexcept;

  struct DrainAwaiter;

  LoopContext& ctx_;
  int fd_;
  std::string remote_address_;
  std::uint16_t remote_port_;

  net::ByteBuffer input_;
  std::string output_;
  std::size_t output_sent_ = 0;

  http::RequestHead head_;
  // An incomplete head's parse goes on where the last read left it (see HeadProgress).
  http::HeadProgress head_progress_;
  // While the body arrives: where the parsed head began in input_ and its length. The views in
  // head_ stay valid as long as input_ has not moved, so each read need not parse it again.
  const char* head_parsed_at_ = nullptr;
  std::size_t head_parsed_bytes_ = 0;
  http::ChunkedDecoder chunked_;
  bool continue_sent_ = false;
  std::int64_t request_started_ms_ = 0;
  Context context_;
  std::size_t request_bytes_ = 0;  // bytes of the request in flight, consumed when answered

  bool handler_running_ = false;   // a coroutine handler has the connection
  std::coroutine_handle<> handler_frame_;  // its frame, while it is suspended
  bool in_dispatch_ = false;       // dispatch() is on the stack (a handler may finish inline)
  bool keep_alive_ = true;         // false: close after the queued output
  bool peer_closed_ = false;       // the client shut down its sending side
  bool departure_seen_ = false;    // its FIN came behind unread requests: answer those first
  bool write_blocked_ = false;     // the socket buffer is full: wait for EPOLLOUT
  bool closed_ = false;
  bool lingering_ = false;  // write side shut; reading until the client's FIN
  bool destroy_scheduled_ = false;
  std::uint32_t interest_ = 0;

  // A file body being sent after the head in output_.
  int file_fd_ = -1;
  off_t file_offset_ = 0;
  std::uint64_t file_remaining_ = 0;

  // A streamed body: its pump coroutine, and the pump waiting for the output to drain.
  Task<void> stream_task_;
  bool stream_running_ = false;
  bool stream_chunked_ = true;
  bool resume_requests_ = false;  // a stream ended: go on with pipelined requests in flush()
  std::coroutine_handle<> drain_waiter_;

  // Set by a 101 answer: after it is queued the socket becomes a WebSocket connection.
  std::shared_ptr<UpgradeTicket> upgrade_;
};

}  // namespace pulsarcpp::detail
