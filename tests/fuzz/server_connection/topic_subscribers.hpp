// WebSocket connections that stay subscribed to a topic for the whole fuzzing run, so that what
// the fuzz inputs publish is also delivered across the server's loops, to clients that check it.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "check.hpp"
#include "client.hpp"
#include "frame_checker.hpp"
#include "pulsarcpp/server.hpp"
#include "response_checker.hpp"

namespace connection_fuzz {

// Half of the subscribers agree to permessage-deflate; each connects from its own loopback
// address, so that SO_REUSEPORT spreads them over the loops. One thread reads them all, checks
// every frame they get and answers pings (the endpoint's idle timeout would close them
// otherwise). The server has no reason to close them: if it does, that is a finding.
class TopicSubscribers {
 public:
  // Opens `count` connections to the endpoint at `path` of `server`, which subscribes them to
  // `topic`, then more (up to kMaxSubscribers) until `spread()` says they sit on every loop, and
  // starts the thread that reads them. Never stopped, like the server: libFuzzer ends the
  // process with exit().
  template <typename Spread>
  static TopicSubscribers& start(pulsarcpp::Server& server, std::string_view path,
                                 std::string topic, std::size_t count, Spread spread) {
    auto* subscribers = new TopicSubscribers(std::move(topic));
    while (subscribers->subscribers_.size() < count ||
           (!spread() && subscribers->subscribers_.size() < kMaxSubscribers)) {
      subscribers->open(server.port(), path, subscribers->subscribers_.size() % 2 == 1);
      subscribers->wait_subscribed(server);
    }
    check(spread(), "the subscribers do not reach every loop");
    std::thread([subscribers] { subscribers->read_forever(); }).detach();
    return *subscribers;
  }

  // Publishes a marker through `server` and waits until every subscriber has it. The input's
  // own publishes were all made before (its handlers ran before the server ended its
  // connection) and each loop delivers what it is handed in order, so then everything the input
  // published has arrived and been checked: a finding is reported with the input that caused
  // it, and a publish that never arrives is one too.
  void sync(pulsarcpp::Server& server) {
    std::unique_lock lock(mutex_);
    marker_ = "fuzz-sync-" + std::to_string(++syncs_);
    marked_ = 0;
    server.publish(topic_, marker_);
    const bool all = marker_seen_.wait_for(lock, std::chrono::milliseconds(kQuietLimitMs),
                                           [&] { return marked_ == subscribers_.size(); });
    check(all, "a subscriber never got a publish");
  }

 private:
  struct Subscriber {
    int fd;
    FrameChecker frames;
    std::string pending;  // the start of a frame the last read cut
  };

  // Far beyond what two loops need (the odds that 32 addresses all land on one are 2^-31).
  static constexpr std::size_t kMaxSubscribers = 32;

  explicit TopicSubscribers(std::string topic) : topic_(std::move(topic)) {}

  // Waits until the server has subscribed every connection opened so far (its open handler
  // has then run for each).
  void wait_subscribed(pulsarcpp::Server& server) const {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kQuietLimitMs);
    while (server.subscriber_count(topic_) < subscribers_.size()) {
      check(std::chrono::steady_clock::now() < deadline, "the subscribers were not subscribed");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void count_marker(std::string_view message) {
    std::lock_guard lock(mutex_);
    if (message == marker_) ++marked_;
    if (marked_ == subscribers_.size()) marker_seen_.notify_one();
  }

  static void send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      check(wait_for(fd, POLLOUT) != 0, "a subscriber cannot send");
      const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      check(sent > 0 || errno == EAGAIN || errno == EINTR, "a subscriber's send failed");
      if (sent > 0) bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  // Appends what arrived on `fd` to `into`; the server must not end the connection.
  static void receive(int fd, std::string& into) {
    char buffer[16384];
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
    check(got > 0, "the server ended a subscriber's connection");
    into.append(buffer, static_cast<std::size_t>(got));
  }

  void open(std::uint16_t port, std::string_view path, bool deflate) {
    const int fd = connect_to(port);
    send_all(fd, "GET " + std::string(path) +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                     (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") + "\r\n");
    std::string received;
    std::size_t head_end = std::string::npos;
    while ((head_end = received.find("\r\n\r\n")) == std::string::npos) {
      check(wait_for(fd, POLLIN) != 0, "a subscriber's upgrade got no answer");
      receive(fd, received);
    }
    const std::string head = lower(received.substr(0, head_end));
    check(head.starts_with("http/1.1 101 "), "a subscriber's upgrade was refused");
    const bool agreed = head.find("permessage-deflate") != std::string::npos;
    check(agreed == deflate, "permessage-deflate refused, or agreed unasked");
    subscribers_.push_back({fd, FrameChecker(agreed), received.substr(head_end + 4)});
    subscribers_.back().frames.on_message([this](std::string_view m) { count_marker(m); });
  }

  void read_forever() {
    std::vector<pollfd> polled;
    for (const Subscriber& s : subscribers_) polled.push_back({s.fd, POLLIN, 0});
    while (true) {
      if (::poll(polled.data(), polled.size(), -1) < 0) {
        check(errno == EINTR, "poll failed");
        continue;
      }
      for (std::size_t i = 0; i < polled.size(); ++i) {
        if (polled[i].revents != 0) take(subscribers_[i]);
      }
    }
  }

  // Checks the whole frames that arrived and answers the pings among them.
  void take(Subscriber& s) {
    receive(s.fd, s.pending);
    s.pending.erase(0, s.frames.check_whole(s.pending));
    check(!s.frames.closed(), "the server closed a subscriber");
    for (const std::string& payload : s.frames.take_pings()) send_all(s.fd, pong(payload));
  }

  // A client's pong: masked, here with a key of zeros, which leaves the payload as it is.
  static std::string pong(std::string_view payload) {
    std::string frame{'\x8a', static_cast<char>(0x80 | payload.size()), '\0', '\0', '\0', '\0'};
    return frame.append(payload);
  }

  const std::string topic_;
  std::vector<Subscriber> subscribers_;  // complete before the thread starts
  std::mutex mutex_;                     // guards what follows
  std::condition_variable marker_seen_;
  std::string marker_;
  std::size_t marked_ = 0;  // subscribers that got the marker
  std::uint64_t syncs_ = 0;
};

}  // namespace connection_fuzz
