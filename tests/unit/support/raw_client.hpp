#pragma once
// A raw TCP client for server tests: connects to 127.0.0.1:port (or another address), sends exact
// bytes and reads with poll() deadlines, so a test fails (instead of hanging) when an answer
// does not come.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_response.hpp"
#include "support/socket_address.hpp"

namespace pulsarcpp::test {

using namespace std::chrono_literals;

struct ClientOptions {
  int receive_buffer = 0;  // SO_RCVBUF before connecting; 0 keeps the default
  bool nodelay = true;     // TCP_NODELAY: each send() leaves as its own segment
  const char* address = "127.0.0.1";     // the server's address, IPv4 or IPv6
  const char* source_address = nullptr;  // a local address to connect from (any port)
};

class RawClient {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RawClient(std::uint16_t port, ClientOptions options = {}) {
    sockaddr_storage address;
    const socklen_t length = socket_address(options.address, port, address);
    if (length == 0) {
      error_ = EINVAL;
      return;
    }
    fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      error_ = errno;
      return;
    }
    if (options.receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer,
                   sizeof options.receive_buffer);
    }
    if (options.nodelay) {
      int on = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    if (options.source_address && !bind_to(options.source_address)) return;
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0) fail(errno);
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// errno of a failed socket(), bind() or connect() (EINVAL for an address that is not one),
  /// else 0.
  int connect_error() const { return error_; }
  int fd() const { return fd_; }

  /// Sends every byte (blocking); false when the connection fails.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// One recv() after waiting up to `timeout` for data. Returns the bytes read (appended to
  /// buffer()), 0 at end of stream (or reset), -1 when nothing came in time.
  long read_once(std::chrono::milliseconds timeout) {
    if (eof_) return 0;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return -1;
    char chunk[64 * 1024];
    ssize_t n;
    do {
      n = ::recv(fd_, chunk, sizeof chunk, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      eof_ = true;
      reset_ = n < 0;
      return 0;
    }
    ++reads_;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return n;
  }

  /// Reads until `count` responses are complete (HEAD responses have no body when `heads`
  /// says so for their index), the peer closes, or the deadline passes. Parsed responses are
  /// removed from buffer().
  std::vector<HttpResponse> read_responses(std::size_t count,
                                           std::chrono::milliseconds timeout = 5s,
                                           std::vector<bool> heads = {}) {
    std::vector<HttpResponse> responses;
    const auto deadline = Clock::now() + timeout;
    bool worth_parsing = true;
    while (responses.size() < count) {
      const bool head = responses.size() < heads.size() && heads[responses.size()];
      if (worth_parsing) {
        HttpResponse response;
        std::size_t consumed = 0;
        ParseOutcome outcome = parse_response(buffer_, head, eof_, response, consumed);
        if (outcome == ParseOutcome::complete) {
          buffer_.erase(0, consumed);
          responses.push_back(std::move(response));
          continue;
        }
        if (outcome == ParseOutcome::malformed || eof_) break;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      const std::size_t before = buffer_.size();
      if (left <= 0ms || read_once(left) < 0) break;
      worth_parsing = may_have_completed(before, head);
    }
    return responses;
  }

  /// One response, or nullopt when none came complete in time.
  std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = 5s,
                                            bool head_request = false) {
    auto responses = read_responses(1, timeout, {head_request});
    if (responses.empty()) return std::nullopt;
    return std::move(responses.front());
  }

  /// Reads (keeping the data in buffer()) until the peer closes; false when it is still open
  /// at the deadline.
  bool wait_closed(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    while (!eof_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms || read_once(left) < 0) return false;
    }
    return true;
  }

  /// True when nothing arrives and the connection stays open for `window`.
  bool stays_silent(std::chrono::milliseconds window) {
    const std::size_t before = buffer_.size();
    read_once(window);
    return !eof_ && buffer_.size() == before;
  }

  /// Reads until the buffer holds at least `bytes` bytes or the deadline passes.
  bool read_at_least(std::size_t bytes, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    while (buffer_.size() < bytes) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms || read_once(left) <= 0) return false;
    }
    return true;
  }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  /// Closes with an RST instead of a FIN (SO_LINGER 0): an abrupt client.
  void abort() {
    linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close();
  }

  std::string& buffer() { return buffer_; }
  bool eof() const { return eof_; }
  bool was_reset() const { return reset_; }
  /// recv() calls that returned data.
  int reads() const { return reads_; }

 private:
  // Parsing is linear in the buffered bytes, so a large body read in small pieces would cost
  // quadratic time. A response can only have completed when the new bytes hold an empty line
  // (the end of a head or of a chunked body), when an announced Content-Length is now all
  // here, or at end of stream.
  bool may_have_completed(std::size_t old_size, bool head_request) const {
    if (eof_) return true;
    const std::size_t from = old_size >= 3 ? old_size - 3 : 0;
    if (buffer_.find("\r\n\r\n", from) != std::string::npos) return true;
    if (head_request) return false;
    const std::size_t head_end = buffer_.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    HttpResponse head;
    std::size_t consumed = 0;
    std::string_view head_only(buffer_.data(), head_end + 4);
    if (parse_response(head_only, true, false, head, consumed) != ParseOutcome::complete) {
      return true;  // let the full parse report it
    }
    auto length = head.header("Content-Length");
    if (!length || head.header("Transfer-Encoding")) return false;
    std::size_t size = 0;
    if (!detail::parse_size(*length, 10, size)) return true;
    return buffer_.size() >= head_end + 4 + size;
  }

  bool bind_to(const char* text) {
    sockaddr_storage source;
    const socklen_t length = socket_address(text, 0, source);
    if (length == 0) return fail(EINVAL);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&source), length) != 0) return fail(errno);
    return true;
  }

  // Records why the client could not connect and gives up its socket.
  bool fail(int error) {
    error_ = error;
    ::close(fd_);
    fd_ = -1;
    return false;
  }

  int fd_ = -1;
  int error_ = 0;
  std::string buffer_;
  bool eof_ = false;
  bool reset_ = false;
  int reads_ = 0;
};

/// A GET request with the Host header a 1.1 server requires.
inline std::string get_request(std::string_view path, std::string_view extra_headers = {}) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\n" +
         std::string(extra_headers) + "\r\n";
}

}  // namespace pulsarcpp::test
