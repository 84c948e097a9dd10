#pragma once
// The per-thread services that offload() and sleep_for() find: the loop the calling coroutine
// runs on, and the worker pool of its server.

#include "net/event_loop.hpp"
#include "net/worker_pool.hpp"

namespace pulsarcpp::detail {

/// Installs `pool` as the worker pool of the calling loop thread (nullptr to clear).
void set_thread_worker_pool(net::WorkerPool* pool) noexcept;

}  // namespace pulsarcpp::detail
