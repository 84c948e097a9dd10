#include "server/connection.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "app/detached.hpp"
#include "app/file_response.hpp"
#include "http/parser.hpp"
#include "net/socket_io.hpp"
#include "pulsarcpp/http/status.hpp"
#include "server/response_head.hpp"
#include "server/response_writer.hpp"
#include "server/ws_connection.hpp"

namespace pulsarcpp::detail {
namespace {

// A request that spans reads is read straight into the connection's own buffer, this much at
// a time.
constexpr std::size_t kReadChunk = 16 * 1024;
// An input buffer that grew past this for a large body is given back once it is empty.
constexpr std::size_t kKeptInputCapacity = 64 * 1024;
// A streamed body pauses its generator when this much output is waiting for the client.
constexpr std::size_t kStreamHighWater = 64 * 1024;
constexpr std::size_t kSendfileSlice = 1024 * 1024;
// How long a closing connection reads what the client still sends, waiting for its FIN.
constexpr std::int64_t kLingerMs = 2'000;

}  // namespace

struct HttpConnection::DrainAwaiter {
  HttpConnection* connection;
  bool await_ready() const noexcept { return connection->closed_; }
  void await_suspend(std::coroutine_handle<> handle) noexcept { connection->drain_waiter_ = handle; }
  void await_resume() const noexcept {}
};

HttpConnection::HttpConnection(LoopContext& loop, int fd, std::string remote_address,
                               std::uint16_t remote_port)
    : ctx_(loop),
      fd_(fd),
      remote_address_(std::move(remote_address)),
      remote_port_(remote_port),
      chunked_(loop.limits.max_body_bytes) {}

HttpConnection::~HttpConnection() {
  // Only after a forced stop ended the loop can a handler still be suspended here (see
  // Server::Impl::join): its frames go with the connection they point into.
  if (handler_frame_) std::exchange(handler_frame_, {}).destroy();
  destroy_scheduled_ = true;  // close() must not schedule this deletion a second time
  if (!closed_) close();
  ctx_.connections.erase(*this);
}

bool HttpConnection::start() {
  ctx_.connections.insert(*this);
  ctx_.open_connections->fetch_add(1, std::memory_order_relaxed);
  interest_ = EPOLLIN | EPOLLRDHUP;
  if (ctx_.loop.add(fd_, interest_, this) != 0) {
    close();
    return false;
  }
  arm_timer();
  // Clients send their request right after connecting, so by the time the loop accepts, it has
  // usually arrived: reading now answers it in this iteration instead of after another wait.
  on_io(EPOLLIN);
  return !closed_;
}

void HttpConnection::on_io(std::uint32_t events) {
  if (closed_) return;
  if (lingering_) {
    if (events & (EPOLLERR | EPOLLHUP)) return close();
    return discard_input();
  }
  // HUP (both directions shut, or reset) is reported even when we are not reading; nothing can
  // be delivered any more, and waiting would spin the loop.
  if (events & (EPOLLERR | EPOLLHUP)) {
    close();
    return;
  }
  if (events & EPOLLOUT) write_blocked_ = false;
  if ((events & EPOLLRDHUP) && !reading_allowed()) check_departure();
  if (events & (EPOLLIN | EPOLLRDHUP)) read_input();
  // At the end of the iteration, so the loop can send for many connections at once.
  ctx_.loop.schedule_flush(*this);
}

int HttpConnection::receive_fd() const noexcept {
  return !closed_ && reading_allowed() ? fd_ : -1;
}

void HttpConnection::read_input() {
  while (!closed_ && reading_allowed()) {
    std::size_t room = 0;
    const ssize_t n = receive(room);
    if (n > 0) {
      input_.commit(static_cast<std::size_t>(n));
      process_requests();
      // A full buffer means more may be waiting; otherwise the next recv would only say EAGAIN.
      if (static_cast<std::size_t>(n) < room) break;
      continue;
    }
    if (n == 0) {
      // The peer finished sending: answer what it sent, then close.
      peer_closed_ = true;
      keep_alive_ = false;
      if (input_.empty() && idle() && output_sent_ == output_.size() && file_fd_ < 0) close();
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) close();
    break;
  }
  if (!closed_) update_interest();
}

ssize_t HttpConnection::receive(std::size_t& room) {
  if (const net::RingReceive* r = ctx_.loop.take_received()) {
    // The loop read for us, together with other sockets.
    room = r->capacity;
    return r->copy_to(input_.prepare(r->size()));
  }
  // Between requests the bytes go through the loop's buffer and only what arrived is kept,
  // so an idle keep-alive connection holds a few hundred bytes, not a 16 KiB read buffer.
  const bool between_requests = input_.empty();
  char* space = between_requests ? ctx_.read_buffer() : input_.prepare(kReadChunk);
  room = between_requests ? LoopContext::kReadBufferSize : input_.writable();
  const ssize_t n = ::recv(fd_, space, room, 0);
  if (n > 0 && between_requests) {
    std::memcpy(input_.prepare(static_cast<std::size_t>(n)), space, static_cast<std::size_t>(n));
  }
  return n;
}

// The client shut its side while a handler or stream still works for it. With nothing unread
// it is gone: close now, as uWebSockets and nginx do, instead of at the stream's next write,
// which for an event stream between events may be hours away. The handler or generator ends
// as after any close. With requests still unread (pipelined, then shut) they are answered
// first, and the FIN is met again by read_input(); stop watching for it until then.
void HttpConnection::check_departure() {
  if (input_.size() > request_bytes_) {  // read already, not yet answered
    departure_seen_ = true;
    return;
  }
  char byte;
  const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    close();
  } else if (n > 0) {
    departure_seen_ = true;
  }
}

bool HttpConnection::watching_departure() const noexcept {
  return (handler_running_ || stream_running_) && !departure_seen_ && !peer_closed_;
}

bool HttpConnection::reading_allowed() const noexcept {
  return !handler_running_ && !stream_running_ && file_fd_ < 0 && keep_alive_ && !peer_closed_ &&
         !write_blocked_;
}

void HttpConnection::process_requests() {
  while (!closed_ && !handler_running_ && !stream_running_ && file_fd_ < 0 && keep_alive_) {
    if (process_one() != Step::next) break;
  }
  arm_timer();
}

HttpConnection::Step HttpConnection::process_one() {
  if (input_.empty()) return Step::wait;
  if (request_started_ms_ == 0) request_started_ms_ = ctx_.loop.now_ms();
  std::size_t head_bytes = head_parsed_bytes_;
  // A body sent in many small reads would otherwise cost a parse of the whole head per read.
  if (head_parsed_at_ != input_.data()) {
    http::ParseResult parsed =
        http::parse_request_head(input_.view(), ctx_.parser_limits, head_, head_progress_);
    if (parsed.status == http::ParseStatus::incomplete) return Step::wait;
    if (parsed.status == http::ParseStatus::error) {
      queue_protocol_error(parsed.error_status);
      return Step::stop;
    }
    head_bytes = parsed.consumed;
  }
  const std::size_t available = input_.size() - head_bytes;
  char* body_start = input_.data() + head_bytes;
  switch (head_.framing) {
    case http::BodyFraming::none:
      dispatch(head_bytes, {});
      return Step::next;
    case http::BodyFraming::content_length:
      if (available < head_.content_length) return wait_for_body(head_bytes);
      dispatch(head_bytes + head_.content_length,
               {body_start, static_cast<std::size_t>(head_.content_length)});
      return Step::next;
    case http::BodyFraming::chunked: {
      auto decoded = chunked_.decode(body_start, available);
      if (decoded.status == http::ChunkedDecoder::Status::incomplete) {
        // Tiny chunks with long extensions could make the raw body far larger than the decoded
        // limit; the raw bytes stay buffered until the request ends, so bound them too.
        if (available > raw_chunked_limit()) {
          queue_protocol_error(413);
          return Step::stop;
        }
        return wait_for_body(head_bytes);
      }
      if (decoded.status == http::ChunkedDecoder::Status::error) {
        queue_protocol_error(decoded.error_status);
        return Step::stop;
      }
      dispatch(head_bytes + decoded.consumed, {body_start, decoded.decoded});
      return Step::next;
    }
  }
  return Step::stop;
}

std::size_t HttpConnection::raw_chunked_limit() const noexcept {
  // Saturating: a max_body_bytes of SIZE_MAX ("no limit") must not wrap to a small bound.
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  const std::size_t body = ctx_.limits.max_body_bytes;
  const std::size_t head = ctx_.limits.max_head_bytes;
  if (body > (kMax - head) / 2) return kMax;
  return 2 * body + head;
}

HttpConnection::Step HttpConnection::wait_for_body(std::size_t head_bytes) {
  head_parsed_at_ = input_.data();
  head_parsed_bytes_ = head_bytes;
  if (head_.expect_continue && !continue_sent_) {
    output_.append("HTTP/1.1 100 Continue\r\n\r\n");
    continue_sent_ = true;
  }
  return Step::wait;
}

void HttpConnection::dispatch(std::size_t request_bytes, std::string_view body) {
  head_parsed_at_ = nullptr;  // the next request's head is parsed afresh
  request_bytes_ = request_bytes;
  keep_alive_ = head_.keep_alive && !ctx_.draining && !peer_closed_;
  const AppCore& app = *ctx_.app;
  app.begin(context_, head_, body, remote_address_, remote_port_, ctx_.server);
  if (app.can_run_sync(context_)) {
    queue_response(app.run_sync(context_));
    finish_request();
    return;
  }
  // Upgrades always take the coroutine path (can_upgrade and upgrade may suspend).
  handler_running_ = true;
  in_dispatch_ = true;
  const Detached started =
      run_detached(app.run(context_), [this](Response response) { finish_async(std::move(response)); });
  in_dispatch_ = false;
  // A handler that finished inline has freed its frame already.
  if (handler_running_) handler_frame_ = started.frame;
}

void HttpConnection::finish_request() {
  input_.consume(request_bytes_);
  // A running stream may still read its request through the Context, whose views point into
  // this buffer (consumed bytes stay in place while reading is paused): it is given back when
  // the stream ends.
  if (!stream_running_) release_large_idle_input();
  request_bytes_ = 0;
  chunked_.reset();
  continue_sent_ = false;
  request_started_ms_ = 0;
}

void HttpConnection::release_large_idle_input() {
  if (input_.empty() && input_.capacity() > kKeptInputCapacity) input_.release();
}

void HttpConnection::finish_async(Response response) {
  handler_running_ = false;
  handler_frame_ = {};
  if (closed_) {
    destroy_when_idle();
    return;
  }
  // A graceful stop that began while the handler ran closes the connection after this
  // response, so the response says so (RFC 9112 §9.6).
  if (ctx_.draining) keep_alive_ = false;
  queue_response(std::move(response));
  finish_request();
  if (upgrade_) {
    // Deferred out of dispatch() and any caller still using this object.
    ctx_.loop.defer([this] {
      if (!closed_) hand_off_to_websocket();
    });
    return;
  }
  // Called from within dispatch() when the coroutine never suspended: the caller's loop goes on.
  if (in_dispatch_) return;
  process_requests();
  update_interest();
  ctx_.loop.schedule_flush(*this);
}

void HttpConnection::queue_response(Response response) {
  if (is_plain(response)) {
    return write_plain_response(output_, response, context_, *ctx_.app, head_, date_line(),
                                keep_alive_);
  }
  BodyToFollow rest =
      write_response(output_, response, context_, *ctx_.app, head_, date_line(), keep_alive_);
  switch (rest.kind) {
    case BodyToFollow::Kind::none:
      return;
    case BodyToFollow::Kind::file:
      file_fd_ = rest.file_fd;
      file_offset_ = static_cast<off_t>(rest.file_offset);
      file_remaining_ = rest.file_length;
      return;
    case BodyToFollow::Kind::stream:
      stream_running_ = true;
      stream_chunked_ = rest.chunked;
      stream_task_ = pump_stream(std::move(rest.stream));
      stream_task_.handle().resume();
      return;
    case BodyToFollow::Kind::upgrade:
      upgrade_ = std::move(rest.upgrade);
      return;
  }
}

Task<void> HttpConnection::pump_stream(std::shared_ptr<AsyncGenerator<std::string>> generator) {
  bool failed = false;
  try {
    while (!closed_) {
      std::optional<std::string> piece = co_await generator->next();
      if (!piece || closed_) break;
      append_stream_piece(output_, *piece, stream_chunked_);
      ctx_.loop.schedule_flush(*this);
      if (output_.size() - output_sent_ > kStreamHighWater) co_await DrainAwaiter{this};
    }
  } catch (...) {
    failed = true;
    log_stream_failure(context_.path());
  }
  generator.reset();
  stream_running_ = false;
  release_large_idle_input();
  if (closed_) {
    destroy_when_idle();
    co_return;
  }
  // A failed stream cannot change its status any more; ending without the last chunk tells
  // the client the body is incomplete.
  if (failed) {
    keep_alive_ = false;
  } else if (stream_chunked_) {
    output_.append(kLastChunk);
  }
  // Further pipelined requests are handled from flush(), once this frame has finished.
  resume_requests_ = true;
  ctx_.loop.schedule_flush(*this);
}

void HttpConnection::hand_off_to_websocket() {
  auto ticket = std::move(upgrade_);
  // The loop keeps the registration; the WebSocket connection re-points it at itself.
  auto* socket = new WsConnection(ctx_, fd_, std::move(*ticket), remote_address_);
  std::string_view early_input = input_.view();
  std::string_view unsent(output_.data() + output_sent_, output_.size() - output_sent_);
  fd_ = -1;  // owned by the WebSocket connection now
  closed_ = true;
  ctx_.loop.wheel().cancel(*this);
  ctx_.connections.erase(*this);  // the connection count moves with the socket
  socket->start(early_input, unsent);
  // A graceful stop that began while the upgrade was under way missed this socket.
  if (ctx_.draining) socket->go_away();
  destroy_when_idle();
}

void HttpConnection::queue_protocol_error(int status) {
  keep_alive_ = false;
  append_error_response(output_, status, date_line(), ctx_.app->error_format());
}

ConnectionHeader HttpConnection::connection_header() const noexcept {
  return {keep_alive_, head_.version_minor == 0};
}

std::string_view HttpConnection::date_line() noexcept {
  return ctx_.date.line(ctx_.loop.now_ms());
}

void HttpConnection::flush() {
  while (!closed_) {
    if (resume_requests_ && !stream_running_) {
      resume_requests_ = false;
      process_requests();
    }
    if (!send_output() || write_blocked_) break;
    if (file_fd_ >= 0) {
      if (!send_file() || write_blocked_) break;
      if (file_fd_ < 0 && !input_.empty()) {
        process_requests();
        continue;  // send what the pipelined requests produced
      }
    }
    if (drain_waiter_) {
      std::exchange(drain_waiter_, {}).resume();
      continue;
    }
    break;
  }
  if (closed_) return;
  if (upgrade_) return;  // the socket is about to become a WebSocket connection
  if (output_sent_ == output_.size() && file_fd_ < 0 && idle() && !resume_requests_) {
    if (!keep_alive_ || (ctx_.draining && input_.empty())) {
      close_after_reading();
      return;
    }
  }
  update_interest();
  arm_timer();
}

// Closing a socket with unread bytes makes the kernel send a reset, which can destroy the
// response still on its way (a 413 while the client is sending its body). So shut the write
// side, read and drop what the client still sends until its FIN, and only then close.
void HttpConnection::close_after_reading() {
  if (peer_closed_ || lingering_) return close();
  lingering_ = true;
  ::shutdown(fd_, SHUT_WR);
  ctx_.loop.wheel().schedule(*this, ctx_.loop.now_ms() + kLingerMs);
  interest_ = EPOLLIN | EPOLLRDHUP;
  ctx_.loop.modify(fd_, interest_, this);
  discard_input();
}

void HttpConnection::discard_input() {
  if (net::discard_readable(fd_)) close();
}

net::PendingOutput HttpConnection::pending_output() const noexcept {
  if (closed_ || lingering_ || write_blocked_) return {};
  return net::PendingOutput::unsent(fd_, output_, output_sent_);
}

void HttpConnection::output_sent(std::size_t bytes) noexcept { output_sent_ += bytes; }

bool HttpConnection::send_output() {
  switch (net::send_pending(fd_, output_, output_sent_)) {
    case net::SendStatus::done:
      return true;
    case net::SendStatus::blocked:
      write_blocked_ = true;
      return true;
    case net::SendStatus::failed:
      break;
  }
  close();
  return false;
}

bool HttpConnection::send_file() {
  while (file_remaining_ > 0) {
    std::size_t slice = file_remaining_ < kSendfileSlice ? file_remaining_ : kSendfileSlice;
    ssize_t n = ::sendfile(fd_, file_fd_, &file_offset_, slice);
    if (n > 0) {
      file_remaining_ -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      write_blocked_ = true;
      return true;
    }
    // n == 0: the file shrank under us; the promised length can no longer be kept.
    close();
    return false;
  }
  ::close(file_fd_);
  file_fd_ = -1;
  return true;
}

void HttpConnection::update_interest() {
  // A pending upgrade keeps the registration as it is: the WebSocket connection takes it over.
  if (closed_ || upgrade_) return;
  std::uint32_t wanted = 0;
  if (reading_allowed()) {
    wanted |= EPOLLIN | EPOLLRDHUP;
  } else if (watching_departure()) {
    wanted |= EPOLLRDHUP;
  }
  if (write_blocked_) wanted |= EPOLLOUT;
  if (wanted == interest_) return;
  interest_ = wanted;
  ctx_.loop.modify(fd_, wanted, this);
}

void HttpConnection::arm_timer() {
  if (closed_) return;
  auto& wheel = ctx_.loop.wheel();
  const std::int64_t now = ctx_.loop.now_ms();
  if (handler_running_) {
    wheel.cancel(*this);
  } else if (write_blocked_) {
    // A client that stops reading, a stream's included, is given the idle timeout to take its
    // response; each write that makes progress starts it again.
    wheel.schedule(*this, now + ctx_.limits.idle_timeout.count());
  } else if (stream_running_) {
    wheel.cancel(*this);  // a stream waiting for its generator (SSE between events) may idle
  } else if (request_started_ms_ != 0) {
    wheel.schedule(*this, request_started_ms_ + ctx_.limits.request_timeout.count());
  } else {
    wheel.schedule(*this, now + ctx_.limits.idle_timeout.count());
  }
}

void HttpConnection::on_timer_expired() {
  if (closed_) return;
  if (lingering_) return close();
  if (request_started_ms_ != 0 && !write_blocked_ && output_sent_ == output_.size()) {
    queue_protocol_error(408);
    request_started_ms_ = 0;
    flush();
    return;
  }
  close();
}

void HttpConnection::drain() {
  // An accepted upgrade becomes a WebSocket, which the stop then closes with 1001.
  if (closed_ || upgrade_) return;
  if (idle() && input_.empty() && output_sent_ == output_.size() && file_fd_ < 0) close();
}

bool HttpConnection::idle() const noexcept { return !handler_running_ && !stream_running_; }

void HttpConnection::close() {
  if (closed_) return;
  closed_ = true;
  ctx_.loop.wheel().cancel(*this);
  ctx_.loop.close_socket(fd_);  // also leaves the epoll set: the descriptor is never duplicated
  if (file_fd_ >= 0) ::close(file_fd_);
  file_fd_ = -1;
  ctx_.open_connections->fetch_sub(1, std::memory_order_relaxed);
  if (drain_waiter_) {
    // Let the stream pump see closed_ and end; it must not be destroyed mid-flight.
    ctx_.loop.defer([waiter = std::exchange(drain_waiter_, {})] { waiter.resume(); });
  }
  destroy_when_idle();
}

void HttpConnection::destroy_when_idle() {
  if (!idle() || destroy_scheduled_) return;
  destroy_scheduled_ = true;
  ctx_.loop.defer([this] { delete this; });
}

}  // namespace pulsarcpp::detail
