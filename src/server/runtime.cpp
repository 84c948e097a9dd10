#include "server/runtime.hpp"

#include <stdexcept>
#include <thread>

#include "pulsarcpp/offload.hpp"

namespace pulsarcpp::detail {
namespace {
thread_local net::WorkerPool* thread_pool = nullptr;

net::EventLoop& require_loop(const char* what) {
  net::EventLoop* loop = net::EventLoop::current();
  if (!loop) throw std::logic_error(std::string(what) + " must be awaited on a server loop");
  return *loop;
}
}  // namespace

void set_thread_worker_pool(net::WorkerPool* pool) noexcept { thread_pool = pool; }

void submit_offload(std::function<void()> job, std::coroutine_handle<> resume) {
  net::EventLoop& loop = require_loop("offload()");
  auto work = [job = std::move(job), &loop, resume] {
    job();
    loop.post([resume] { resume.resume(); });
  };
  if (thread_pool) {
    thread_pool->submit(std::move(work));
  } else {
    std::thread(std::move(work)).detach();
  }
}

void schedule_resume(std::chrono::milliseconds delay, std::coroutine_handle<> handle) {
  require_loop("sleep_for()").add_timer(delay, [handle] { handle.resume(); });
}

}  // namespace pulsarcpp::detail
