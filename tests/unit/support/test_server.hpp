#pragma once
// A Server on an ephemeral loopback port for socket tests; stopped when it goes out of scope.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "pulsarcpp/server.hpp"

namespace pulsarcpp::test {

/// Options for a test: loopback, port 0, one loop thread unless asked, no ./public folder.
inline Options local_options(Options options) {
  options.hostname = "127.0.0.1";
  options.port = 0;
  if (options.threads == 0) options.threads = 1;
  options.public_dir.clear();
  return options;
}

class TestServer {
 public:
  explicit TestServer(Options options) : server_(local_options(std::move(options))) {
    server_.listen();
  }
  std::uint16_t port() const { return server_.port(); }
  Server& server() { return server_; }

 private:
  Server server_;
};

/// A flag a handler sets and a test waits for with a deadline (thread-safe).
class Signal {
 public:
  void notify() {
    {
      std::lock_guard lock(mutex_);
      set_ = true;
    }
    changed_.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return set_; });
  }
  bool is_set() {
    std::lock_guard lock(mutex_);
    return set_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool set_ = false;
};

/// Notifies its signal when destroyed: kept in a coroutine frame (a handler's, a generator's),
/// it shows the frame was freed, however it ended. Shares the signal, so a frame that outlives
/// the test still has one to notify.
struct OnDestroy {
  explicit OnDestroy(std::shared_ptr<Signal> signal) : signal_(std::move(signal)) {}
  OnDestroy(OnDestroy&&) noexcept = default;
  ~OnDestroy() {
    if (signal_) signal_->notify();
  }
  std::shared_ptr<Signal> signal_;
};

}  // namespace pulsarcpp::test
