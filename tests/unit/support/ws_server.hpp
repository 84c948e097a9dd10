#pragma once
// WebSocket server tests: a Server with WebSocket endpoints on an ephemeral loopback port, a
// thread-safe log that handlers (on loop threads) write and tests wait on, and a deadline poll.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pulsarcpp/server.hpp"

namespace pulsarcpp::test {

/// Loopback, port 0, one loop thread unless asked, no ./public folder.
template <class T>
BasicOptions<T> local_ws_options(BasicOptions<T> options) {
  options.hostname = "127.0.0.1";
  options.port = 0;
  if (options.threads == 0) options.threads = 1;
  options.public_dir.clear();
  return options;
}

/// A listening Server<T>; stopped when it goes out of scope.
template <class T>
class WsTestServer {
 public:
  explicit WsTestServer(BasicOptions<T> options) : server_(local_ws_options(std::move(options))) {
    server_.listen();
  }
  std::uint16_t port() const { return server_.port(); }
  Server& server() { return server_; }

 private:
  Server server_;
};

/// Polls `condition` until it holds or `timeout` passes; returns its last value.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

/// An ordered list of events written from any thread, waited on with deadlines.
class EventLog {
 public:
  void add(std::string event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
  }
  std::size_t count(const std::string& event) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e == event ? 1 : 0;
    return n;
  }
  /// Waits until at least `n` events were logged.
  bool wait_size(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  /// Waits until `event` was logged at least once.
  bool wait_for(const std::string& event,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      for (const auto& e : events_) {
        if (e == event) return true;
      }
      return false;
    });
  }
  /// Waits until an event starting with `prefix` was logged and returns the first such one.
  std::string wait_prefix(const std::string& prefix,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    std::string found;
    changed_.wait_for(lock, timeout, [&] {
      for (const auto& e : events_) {
        if (e.starts_with(prefix)) {
          found = e;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
};

}  // namespace pulsarcpp::test
