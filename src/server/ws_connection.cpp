#include "server/ws_connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "pulsarcpp/middleware.hpp"
#include "net/socket_io.hpp"
#include "server/pubsub_hub.hpp"
#include "ws/close.hpp"
#include "ws/utf8.hpp"

namespace pulsarcpp::detail {
namespace {

// How long a closing socket waits for the client's close frame before dropping the TCP link.
constexpr std::int64_t kCloseHandshakeMs = 5'000;
// How long a finished socket may take to receive its last bytes and send its FIN.
constexpr std::int64_t kLingerMs = 2'000;

const char* reason_for(std::uint16_t code) {
  switch (code) {
    case ws::close_code::protocol_error: return "Protocol error";
    case ws::close_code::invalid_payload: return "Invalid UTF-8";
    case ws::close_code::message_too_big: return "Message too big";
    case ws::close_code::internal_error: return "Internal error";
    case ws::close_code::going_away: return "Server shutting down";
    default: return "";
  }
}

}  // namespace

// An idle server holds one of these per connection, and W3 (bench/) budgets 400 bytes for all of
// it; a member added carelessly shows here first.
static_assert(sizeof(WsConnection) <= 320, "keep idle WebSockets small: see Extras");

WsConnection::WsConnection(LoopContext& loop, int fd, UpgradeTicket&& ticket,
                           std::string remote_address)
    : fd_(fd),
      deflate_(ticket.deflate),
      ctx_(loop),
      endpoint_(ticket.endpoint.get()),
      socket_(std::move(ticket.socket)),
      remote_address_(std::move(remote_address)),
      reader_(ws::FrameReaderOptions{endpoint_->settings().max_payload_length}) {
  socket_->connection_ = this;
  if (!ticket.subprotocol.empty()) extras().subprotocol = std::move(ticket.subprotocol);
  if (!deflate_) return;
  // The shared mode uses the loop's 15-bit streams, reset after every message, which the
  // negotiated parameters must allow; anything else gets streams of its own.
  if (deflate_->fits_shared_inflater()) {
    if (!ctx_.shared_inflater) ctx_.shared_inflater = ws::Inflater::create(15, true);
    reader_.set_inflater(ctx_.shared_inflater ? &*ctx_.shared_inflater : nullptr);
  } else {
    auto& inflater = extras().own_inflater;
    inflater = ws::Inflater::create(deflate_->client_window_bits, false);
    reader_.set_inflater(inflater ? &*inflater : nullptr);
  }
  if (deflate_->compress && !deflate_->fits_shared_deflater()) {
    extras().own_deflater = ws::Deflater::create(deflate_->server_window_bits,
                                         deflate_->server_no_context_takeover);
  }
}

WsConnection::~WsConnection() {
  if (fd_ >= 0) release_socket();
}

WsConnection::Extras& WsConnection::extras() {
  if (!extras_) extras_ = std::make_unique<Extras>();
  return *extras_;
}

void WsConnection::start(std::string_view early_input, std::string_view unsent_output) {
  ctx_.websockets.insert(*this);
  last_activity_ms_ = ctx_.loop.now_ms();
  output_.assign(unsent_output);
  interest_ = EPOLLIN | EPOLLRDHUP;
  ctx_.loop.modify(fd_, interest_, this);
  arm_idle_timer();
  // Frames the client sent right behind its handshake are read after the open handler ran.
  std::string early(early_input);
  call_handler([&] { endpoint_->on_open(*socket_); });
  if (!early.empty() && state_ != ReadyState::closed) handle_frames({early.data(), early.size()});
  request_flush();
}

void WsConnection::on_io(std::uint32_t events) {
  if (lingering_) {
    linger_io(events);
    return;
  }
  if (finished_) return;
  if (events & (EPOLLERR | EPOLLHUP)) {
    finish(ws::close_code::abnormal, {});
    return;
  }
  if (events & EPOLLOUT) {
    write_blocked_ = false;
    request_flush();
  }
  if (!finished_ && (events & (EPOLLIN | EPOLLRDHUP))) read_input();
}

void WsConnection::read_input() {
  char* buffer = ctx_.read_buffer();
  const std::size_t capacity = LoopContext::kReadBufferSize;
  while (!finished_) {
    // What the last read left (part of a header or control frame) goes in front.
    const std::string_view carry = pending();
    const std::size_t carried = carry.size();
    if (carried > 0) std::memcpy(buffer, carry.data(), carried);  // no memcpy from nullptr
    std::size_t room = capacity - carried;
    ssize_t n = receive(buffer + carried, room);
    if (n > 0) {
      keep_pending({});
      last_activity_ms_ = ctx_.loop.now_ms();
      ping_outstanding_ = false;
      input_drained_ = static_cast<std::size_t>(n) < room;
      handle_frames({buffer, carried + static_cast<std::size_t>(n)});
      if (input_drained_) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // The client went away without a close frame (or the socket failed).
    finish(ws::close_code::abnormal, {});
    return;
  }
  // At the end of the iteration, so the loop can send for many connections at once.
  request_flush();
}

// One read into `space`: what the loop received for us together with other sockets, else
// from the socket. `room` becomes what the read could have taken.
ssize_t WsConnection::receive(char* space, std::size_t& room) {
  if (const net::RingReceive* r = ctx_.loop.take_received()) {
    // What is carried in front is a frame header or a control frame at most, so a receive
    // slot always fits behind it.
    if (r->size() > room) {  // cannot happen; reads as a failed socket
      errno = EOVERFLOW;
      return -1;
    }
    room = r->capacity;
    return r->copy_to(space);
  }
  return ::recv(fd_, space, room, 0);
}

int WsConnection::receive_fd() const noexcept { return finished_ || lingering_ ? -1 : fd_; }

void WsConnection::handle_frames(std::span<char> input) {
  std::size_t used = 0;
  while (!finished_) {
    ws::ReadEvent event = reader_.read(input.subspan(used));
    used += event.consumed;
    if (event.kind == ws::ReadEvent::Kind::need_more) break;
    handle_event(event);
    if (event.kind == ws::ReadEvent::Kind::error) break;
  }
  if (!finished_) keep_pending({input.data() + used, input.size() - used});
}

void WsConnection::keep_pending(std::string_view rest) {
  if (!rest.empty()) {
    extras().pending.assign(rest);
  } else if (extras_) {
    extras_->pending.clear();
  }
}

void WsConnection::handle_event(const ws::ReadEvent& event) {
  using Kind = ws::ReadEvent::Kind;
  switch (event.kind) {
    case Kind::text:
    case Kind::binary:
      if (state_ != ReadyState::open) return;  // data after our close frame is ignored
      call_handler([&] {
        endpoint_->on_message(*socket_, Message{event.payload, event.kind == Kind::binary});
      });
      return;
    case Kind::ping:
      // Nothing may follow our close frame, so a closing socket neither answers nor reports.
      if (state_ != ReadyState::open) return;
      control(ws::Opcode::pong, event.payload);  // answered even without a ping handler
      call_handler([&] { endpoint_->on_ping(*socket_, event.payload); });
      return;
    case Kind::pong:
      call_handler([&] { endpoint_->on_pong(*socket_, event.payload); });
      return;
    case Kind::close:
      on_peer_close(event.close_code, event.payload);
      return;
    case Kind::error:
      fail(event.close_code, reason_for(event.close_code));
      return;
    case Kind::need_more:
      return;
  }
}

void WsConnection::on_peer_close(std::uint16_t code, std::string_view reason) {
  if (state_ == ReadyState::open) {
    // Echo the client's code and reason (RFC 6455 §5.5.1; Bun does the same), then the server
    // ends the TCP connection. The reader checked both: a valid code, UTF-8, at most 123 bytes.
    queue_close_frame(code == ws::close_code::no_status ? 0 : code, reason);
  }
  peer_sent_close_ = true;
  std::string kept(reason);  // the view dies with the input buffer in finish()
  finish(code, kept, Ending::graceful);
}

void WsConnection::fail(std::uint16_t code, std::string_view reason) {
  if (state_ == ReadyState::open) queue_close_frame(code, reason);
  finish(code, reason, Ending::graceful);
}

template <class Call>
void WsConnection::call_handler(Call&& call) {
  try {
    call();
  } catch (...) {
    auto error = std::current_exception();
    // Reported once: to the endpoint's error handler when it has one, else to the log.
    if (endpoint_->has_error_handler()) {
      try {
        endpoint_->on_error(*socket_, error);
      } catch (...) {
        log("WebSocket error handler threw on " + endpoint_->settings().path);
      }
    } else {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log(std::string("WebSocket handler error on ") + endpoint_->settings().path + ": " +
            e.what());
      } catch (...) {
        log("WebSocket handler error on " + endpoint_->settings().path + ": unknown exception");
      }
    }
    // Only this connection pays for its handler's failure. A close handler that throws runs
    // while the connection is already closed: failing again would call it again, without end.
    if (state_ != ReadyState::closed) {
      fail(ws::close_code::internal_error, reason_for(ws::close_code::internal_error));
    }
  }
}

bool WsConnection::admit() {
  // As uWebSockets (and so Bun) decide: a message is dropped only while what is already
  // queued is over the limit, so one message as large as the limit still goes out.
  const std::size_t limit = endpoint_->settings().backpressure_limit;
  if (limit == 0 || buffered_amount() <= limit) return true;
  if (endpoint_->settings().close_on_backpressure_limit) {
    // Deferred: we may be inside a topic delivery or the handler that sent.
    ctx_.loop.defer([this] {
      if (!finished_) finish(ws::close_code::abnormal, {});
    });
  }
  // A sender told 0 waits for drain, which comes once the queue has gone out.
  backpressured_ = true;
  request_flush();
  return false;
}

int WsConnection::send(ws::Opcode opcode, std::string_view payload, bool compress) {
  if (state_ != ReadyState::open) return 0;
  return queue_frame(opcode, payload, compress);
}

int WsConnection::queue_frame(ws::Opcode opcode, std::string_view payload, bool compress) {
  if (!admit()) return 0;
  if (!(compress && append_compressed(opcode, payload))) ws::append_frame(output_, opcode, payload);
  request_flush();
  if (write_blocked_) {
    backpressured_ = true;
    return -1;
  }
  return static_cast<int>(std::min<std::size_t>(payload.size(), INT32_MAX));
}

bool WsConnection::append_compressed(ws::Opcode opcode, std::string_view payload) {
  if (!deflate_ || !deflate_->compress) return false;
  ws::Deflater* deflater = own_deflater();
  if (!deflater) {
    if (!ctx_.shared_deflater) ctx_.shared_deflater = ws::Deflater::create(15, true);
    if (!ctx_.shared_deflater) return false;
    deflater = &*ctx_.shared_deflater;
  }
  std::string& compressed = ctx_.deflate_output;
  compressed.clear();
  if (!deflater->deflate_message(payload, compressed)) return false;
  ws::append_frame(output_, opcode, compressed, true, true);
  return true;
}

void WsConnection::deliver(const ws::PublishedMessage& message) {
  if (state_ != ReadyState::open) return;
  const bool compressed = message.compress && deflate_ && deflate_->compress;
  if (compressed && own_deflater()) {
    // A window of its own: the shared bytes would not match the client's inflate window.
    queue_frame(message.opcode, message.payload, true);
    return;
  }
  const std::string& frame = compressed ? message.deflated_frame : message.frame;
  if (!admit()) return;
  output_.append(frame);
  if (write_blocked_) backpressured_ = true;
  request_flush();
}

int WsConnection::publish(std::string_view topic, ws::Opcode opcode, std::string_view payload,
                          bool compress) {
  // Allowed in the close handler too ("X left the chat"); the socket has left its topics.
  if (finished_) return 0;
  const ws::Subscriber* skip = endpoint_->settings().publish_to_self ? nullptr : this;
  const std::size_t subscribers = ctx_.hub->publish(topic, opcode, payload, compress, skip);
  // As Bun: 0 when nobody but the sender itself was there to receive it.
  const std::size_t recipients = subscribers - (skip && is_subscribed(topic) ? 1 : 0);
  if (recipients == 0) return 0;
  return static_cast<int>(std::min<std::size_t>(payload.size(), INT32_MAX));
}

bool WsConnection::subscribe(std::string_view topic) {
  if (state_ == ReadyState::closed) return false;
  if (is_subscribed(topic)) return true;
  topics_.push_back({std::string(topic)});
  ctx_.topics.subscribe(topic, this);
  ctx_.hub->count(topic, ctx_.index, +1);
  return true;
}

std::vector<WsConnection::Subscription>::const_iterator WsConnection::find_subscription(
    std::string_view topic) const noexcept {
  return std::find_if(topics_.begin(), topics_.end(),
                      [topic](const Subscription& s) { return s.topic == topic; });
}

std::size_t& WsConnection::slot_in(std::string_view topic) {
  // The table asks only about topics this socket subscribed to, so the lookup always finds one.
  return topics_[static_cast<std::size_t>(find_subscription(topic) - topics_.begin())].slot;
}

std::vector<std::string> WsConnection::topics() const {
  std::vector<std::string> names;
  names.reserve(topics_.size());
  for (const Subscription& subscription : topics_) names.push_back(subscription.topic);
  return names;
}

bool WsConnection::unsubscribe(std::string_view topic) {
  const auto it = find_subscription(topic);
  if (it == topics_.end()) return false;
  ctx_.topics.unsubscribe(topic, this);
  ctx_.hub->count(topic, ctx_.index, -1);
  topics_.erase(it);
  return true;
}

bool WsConnection::is_subscribed(std::string_view topic) const {
  return find_subscription(topic) != topics_.end();
}

void WsConnection::close(int code, std::string_view reason) {
  if (state_ != ReadyState::open) return;
  auto wire_code = static_cast<std::uint16_t>(code);
  if (!ws::is_valid_close_code(wire_code)) wire_code = ws::close_code::normal;
  // Cut to 123 bytes; left out when not UTF-8, which the client would fail the connection on
  // (1007) instead of closing it as asked.
  reason = reason.substr(0, ws::utf8_prefix_length(reason, ws::kMaxCloseReason));
  if (!ws::is_valid_utf8(reason)) reason = {};
  queue_close_frame(wire_code, reason);
  // Reported to the close handler if the client never answers: what went on the wire.
  Extras& extras = this->extras();
  extras.sent_close_code = wire_code;
  extras.sent_close_reason.assign(reason);
  state_ = ReadyState::closing;
  // Replaces the idle timer: while closing, the timer only ever means "the echo is late".
  ctx_.loop.wheel().schedule(*this, ctx_.loop.now_ms() + kCloseHandshakeMs);
  request_flush();
}

void WsConnection::terminate() {
  // A finished socket may still be lingering; a forced stop (the drain deadline) ends that too,
  // or the socket would outlive its loop.
  if (lingering_) return end_lingering();
  finish(ws::close_code::abnormal, {});
}

void WsConnection::go_away() {
  close(ws::close_code::going_away, reason_for(ws::close_code::going_away));
}

int WsConnection::control(ws::Opcode opcode, std::string_view payload) {
  if (state_ != ReadyState::open) return 0;  // after our close frame, nothing more goes out
  if (payload.size() > ws::kMaxControlPayload) payload = payload.substr(0, ws::kMaxControlPayload);
  return queue_frame(opcode, payload, false);
}

void WsConnection::queue_close_frame(std::uint16_t code, std::string_view reason) {
  ws::append_close_frame(output_, code, reason);
  request_flush();
}

void WsConnection::request_flush() {
  if (!finished_ && cork_depth_ == 0) ctx_.loop.schedule_flush(*this);
}

void WsConnection::cork_end() {
  if (--cork_depth_ == 0) request_flush();
}

void WsConnection::flush() {
  if (lingering_) {
    if (!write_blocked_) continue_lingering();  // else EPOLLOUT continues it
    return;
  }
  if (finished_ || write_blocked_) return;
  if (!send_output()) {
    finish(ws::close_code::abnormal, {});
    return;
  }
  if (!write_blocked_ && backpressured_ && buffered_amount() == 0) {
    backpressured_ = false;
    if (endpoint_->has_drain()) call_handler([&] { endpoint_->on_drain(*socket_); });
  }
  update_interest();
}

net::PendingOutput WsConnection::pending_output() const noexcept {
  if (write_blocked_ || write_shut_) return {};
  if (lingering_) return net::PendingOutput::unsent(fd_, output_, output_sent_, last_send_flags());
  if (finished_) return {};
  return net::PendingOutput::unsent(fd_, output_, output_sent_);
}

// When the client sent its close frame the socket closes right after the last send: MSG_MORE
// holds the last segment back so that the FIN joins it (see continue_lingering), one segment
// instead of two for both ends to process.
int WsConnection::last_send_flags() const noexcept { return peer_sent_close_ ? MSG_MORE : 0; }

void WsConnection::output_sent(std::size_t bytes) noexcept { output_sent_ += bytes; }

bool WsConnection::send_output(int flags) {
  switch (net::send_pending(fd_, output_, output_sent_, flags)) {
    case net::SendStatus::done:
      return true;
    case net::SendStatus::blocked:
      write_blocked_ = true;
      backpressured_ = true;
      return true;
    case net::SendStatus::failed:
      break;
  }
  return false;  // the caller ends the connection
}

void WsConnection::update_interest() {
  if (finished_) return;
  set_interest(EPOLLIN | EPOLLRDHUP | (write_blocked_ ? EPOLLOUT : 0u));
}

void WsConnection::arm_idle_timer() {
  const auto idle_ms = std::chrono::milliseconds(endpoint_->settings().idle_timeout).count();
  if (idle_ms <= 0 || state_ != ReadyState::open) return;
  // With pings, check halfway so a live client has time to answer before the deadline.
  const std::int64_t step = endpoint_->settings().send_pings ? idle_ms / 2 : idle_ms;
  ctx_.loop.wheel().schedule(*this, last_activity_ms_ + std::max<std::int64_t>(step, 1));
}

void WsConnection::on_timer_expired() {
  if (lingering_) return end_lingering();
  if (finished_) return;
  const std::int64_t now = ctx_.loop.now_ms();
  if (state_ == ReadyState::closing) {
    finish(extras().sent_close_code, extras().sent_close_reason);
    return;
  }
  const auto& settings = endpoint_->settings();
  const auto idle_ms = std::chrono::milliseconds(settings.idle_timeout).count();
  const std::int64_t silent = now - last_activity_ms_;
  if (settings.send_pings && silent >= idle_ms / 2 && !ping_outstanding_) {
    // The wheel ticks once a second, so this check may come late, even past the deadline:
    // a client that was not pinged since it last spoke still gets half the timeout to answer.
    ping_outstanding_ = true;
    control(ws::Opcode::ping, {});
    ctx_.loop.wheel().schedule(*this, std::max(last_activity_ms_ + idle_ms, now + idle_ms / 2));
    return;
  }
  if (silent >= idle_ms) {
    finish(ws::close_code::abnormal, {});
    return;
  }
  arm_idle_timer();
  if (!scheduled()) ctx_.loop.wheel().schedule(*this, last_activity_ms_ + idle_ms);
}

void WsConnection::finish(int code, std::string_view reason, Ending ending) {
  // Also refused while the close handler runs (terminate() from it): it would run again.
  if (finished_ || state_ == ReadyState::closed) return;
  state_ = ReadyState::closed;
  // Inside the close handler the socket has no subscriptions (as in Bun).
  while (!topics_.empty()) unsubscribe(topics_.back().topic);
  std::string kept_reason(reason);
  call_handler([&] { endpoint_->on_close(*socket_, code, kept_reason); });
  finished_ = true;
  if (ending == Ending::graceful) {
    start_lingering();
  } else {
    release_socket();
    ctx_.loop.defer([this] { delete this; });
  }
}

// After a close frame the socket stays open until what is queued (echoes before the close,
// the close frame) has been sent. When the client already sent its own close frame the socket
// then closes; otherwise the write side is shut and the client's remaining bytes are read until
// its FIN: closing with unread data would send a reset that can destroy the close frame on its
// way.
void WsConnection::start_lingering() {
  lingering_ = true;
  ctx_.loop.wheel().schedule(*this, ctx_.loop.now_ms() + kLingerMs);
  // The close frame goes out with the iteration's other sends; flush() goes on from there.
  ctx_.loop.schedule_flush(*this);
}

void WsConnection::continue_lingering() {
  if (!write_shut_) {
    if (!send_output(last_send_flags())) return end_lingering();
    if (write_blocked_) {
      set_interest(EPOLLOUT);
      return;
    }
    if (peer_sent_close_) {
      // The client ended its data with its close frame: read what is here (nothing, when the
      // read that brought the close frame emptied the socket) and close, the server first, as
      // RFC 6455 §7.1.1 asks (it then holds TIME_WAIT, not the client). The write side is shut
      // first, which sends the segment the last send held back (MSG_MORE) with the FIN: a
      // client that goes on sending after its close frame (§5.5.1 forbids it) would otherwise
      // turn the close into a reset that discards that segment, and the close frame and the
      // echoes before it would never arrive. Not through the ring: io_uring makes a shutdown
      // in a worker thread, after the close.
      if (!input_drained_) net::discard_readable(fd_);
      ::shutdown(fd_, SHUT_WR);
      return end_lingering();
    }
    ::shutdown(fd_, SHUT_WR);
    write_shut_ = true;
  }
  set_interest(EPOLLIN | EPOLLRDHUP);
  discard_input();
}

void WsConnection::linger_io(std::uint32_t events) {
  if (events & (EPOLLERR | EPOLLHUP)) return end_lingering();
  if (events & EPOLLOUT) write_blocked_ = false;
  continue_lingering();
}

void WsConnection::discard_input() {
  if (net::discard_readable(fd_)) end_lingering();  // the client's FIN (or an error): done
}

void WsConnection::end_lingering() {
  if (fd_ < 0) return;
  lingering_ = false;
  release_socket();
  ctx_.loop.defer([this] { delete this; });
}

void WsConnection::set_interest(std::uint32_t wanted) {
  if (wanted == interest_) return;
  interest_ = wanted;
  ctx_.loop.modify(fd_, wanted, this);
}

void WsConnection::release_socket() {
  ctx_.loop.wheel().cancel(*this);
  ctx_.loop.close_socket(fd_);  // also leaves the epoll set: the descriptor is never duplicated
  fd_ = -1;
  ctx_.websockets.erase(*this);
  ctx_.open_connections->fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace pulsarcpp::detail
