#include "pulsarcpp/server.hpp"

#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "app/app_core.hpp"
#include "net/worker_pool.hpp"
#include "server/connection.hpp"
#include "server/listener.hpp"
#include "server/loop_context.hpp"
#include "server/pubsub_hub.hpp"
#include "server/runtime.hpp"
#include "server/valid_text.hpp"
#include "server/ws_connection.hpp"
#include "ws/handshake.hpp"

namespace pulsarcpp {
namespace {

// A whole number from the environment, at most `max`; nullopt when unset or empty. Anything
// else is a StartError naming the variable: a typo must not silently start on a default.
std::optional<unsigned> env_number(const char* name, unsigned max, const char* meaning) {
  const char* text = std::getenv(name);
  if (!text || !*text) return std::nullopt;
  const std::string_view view(text);
  unsigned value = 0;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (error != std::errc() || end != view.data() + view.size() || value > max) {
    throw StartError(std::string(name) + "=" + text + " is not " + meaning);
  }
  return value;
}

constexpr unsigned kMaxThreads = 1024;

// How often a draining loop checks whether its last connection is gone.
constexpr std::chrono::milliseconds kDrainPoll{10};

}  // namespace

std::uint16_t default_port() {
  return static_cast<std::uint16_t>(
      env_number("PORT", 65535, "a port number (0 to 65535; 0 picks a free one)").value_or(3000));
}

unsigned available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<unsigned>(count);
  }
  unsigned hardware = std::thread::hardware_concurrency();
  return hardware ? hardware : 1;
}

struct Server::Impl {
  struct Loop {
    detail::LoopContext context;
    std::unique_ptr<detail::Listener> listener;
    std::thread thread;
    std::int64_t drain_deadline_ms = 0;
  };

  detail::ServerConfig config;
  Options& options;
  detail::AppCore app;
  std::unique_ptr<detail::PubSubHub> hub;
  std::atomic<std::size_t> open_connections{0};
  std::vector<std::unique_ptr<Loop>> loops;
  std::unique_ptr<net::WorkerPool> pool;
  std::uint16_t port = 0;
  unsigned thread_count = 1;

  std::mutex mutex;
  std::condition_variable all_stopped;
  unsigned running_loops = 0;
  bool listening = false;
  bool stop_requested = false;
  bool joined = false;

  // Readable once a stop was requested, from any thread: start() waits on it together with the
  // signals, so a handler that stops the server also ends start().
  int stop_requested_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

  explicit Impl(detail::ServerConfig&& server_config)
      : config(std::move(server_config)), options(config.http), app(config) {
    unsigned threads = options.threads;
    if (threads == 0) {
      threads = env_number("THREADS", kMaxThreads,
                           "a number of loop threads (1 to 1024; 0 or unset: one per CPU)")
                    .value_or(0);
    }
    thread_count = threads ? threads : available_cpus();
  }
  ~Impl() {
    if (stop_requested_fd >= 0) ::close(stop_requested_fd);
  }

  void listen(Server* self);
  void run_loop(Loop& loop);
  void begin_drain(Loop& loop);
  void check_drained(Loop& loop);
  void request_stop();
  void join();
  bool on_loop_thread() const;
};

void Server::Impl::listen(Server* self) {
  // The handshake digest loads once here rather than on the first client's upgrade.
  if (app.has_websockets() && !ws::prepare_accept_key()) {
    throw StartError("OpenSSL cannot provide SHA-1 for the WebSocket handshake");
  }
  std::uint16_t wanted = options.port ? *options.port : default_port();
  unsigned workers = options.worker_threads ? options.worker_threads : std::max(2u, thread_count);
  pool = std::make_unique<net::WorkerPool>(workers);
  // Loop 0 binds first so that port 0 resolves to one ephemeral port all loops then share.
  for (unsigned i = 0; i < thread_count; ++i) {
    auto loop = std::make_unique<Loop>();
    auto& context = loop->context;
    context.app = &app;
    context.server = self;
    context.limits = options.limits;
    context.parser_limits = {options.limits.max_head_bytes, options.limits.max_header_count,
                             options.limits.max_body_bytes};
    context.open_connections = &open_connections;
    context.index = i;
    int fd = detail::open_listen_socket(options.hostname, i == 0 ? wanted : port, i == 0);
    if (i == 0) port = detail::bound_port(fd);
    loop->listener = std::make_unique<detail::Listener>(context, fd);
    loops.push_back(std::move(loop));
  }
  std::vector<detail::LoopContext*> contexts;
  for (auto& loop : loops) contexts.push_back(&loop->context);
  hub = std::make_unique<detail::PubSubHub>(std::move(contexts));
  for (auto& loop : loops) loop->context.hub = hub.get();
  // SIGPIPE would kill the process when a client vanishes during sendfile.
  ::signal(SIGPIPE, SIG_IGN);
  std::lock_guard lock(mutex);
  listening = true;
  for (auto& loop : loops) {
    loop->listener->start();
    ++running_loops;
    loop->thread = std::thread([this, raw = loop.get()] { run_loop(*raw); });
  }
}

void Server::Impl::run_loop(Loop& loop) {
  detail::set_thread_worker_pool(pool.get());
  loop.context.loop.run();
  // Connections still open here were forced closed at the deadline; their loop is ending.
  detail::set_thread_worker_pool(nullptr);
  std::lock_guard lock(mutex);
  if (--running_loops == 0) all_stopped.notify_all();
}

void Server::Impl::begin_drain(Loop& loop) {
  auto& context = loop.context;
  context.draining = true;
  loop.listener->close();
  loop.drain_deadline_ms = net::EventLoop::clock_ms() + options.shutdown_timeout.count();
  for (auto* connection : context.connections.snapshot()) connection->drain();
  for (auto* socket : context.websockets.snapshot()) socket->go_away();
  check_drained(loop);
}

void Server::Impl::check_drained(Loop& loop) {
  auto& context = loop.context;
  const bool busy = !context.connections.empty() || !context.websockets.empty();
  if (busy && net::EventLoop::clock_ms() < loop.drain_deadline_ms) {
    context.loop.add_timer(kDrainPoll, [this, &loop] { check_drained(loop); });
    return;
  }
  for (auto* connection : context.connections.snapshot()) connection->abort();
  for (auto* socket : context.websockets.snapshot()) socket->terminate();
  context.loop.stop();
}

void Server::Impl::request_stop() {
  std::lock_guard lock(mutex);
  if (stop_requested || !listening) {
    stop_requested = true;
    return;
  }
  stop_requested = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(stop_requested_fd, &one, sizeof one);
  for (auto& loop : loops) {
    loop->context.loop.post([this, raw = loop.get()] { begin_drain(*raw); });
  }
}

bool Server::Impl::on_loop_thread() const {
  for (const auto& loop : loops) {
    if (loop->thread.get_id() == std::this_thread::get_id()) return true;
  }
  return false;
}

void Server::Impl::join() {
  {
    std::unique_lock lock(mutex);
    if (!listening || joined) return;
    all_stopped.wait(lock, [this] { return running_loops == 0; });
    joined = true;
  }
  for (auto& loop : loops) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  pool.reset();  // runs what is queued; resumptions posted to the loops are dropped with them
  // Connections whose handler or stream was still suspended (in sleep_for, offload, a slow
  // generator) when shutdown_timeout forced the stop: their loop has ended and nothing will
  // resume them. Destroyed here, after the pool, whose jobs may still write into their frames.
  for (auto& loop : loops) {
    for (auto* connection : loop->context.connections.snapshot()) delete connection;
  }
}

Server::Server(detail::ServerConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
  if (!impl_) return;
  impl_->request_stop();
  if (!impl_->on_loop_thread()) impl_->join();
}

void Server::listen() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->listening) throw StartError("the server is already listening");
  }
  impl_->listen(this);
}

std::uint16_t Server::port() const noexcept { return impl_->port; }
unsigned Server::threads() const noexcept { return impl_->thread_count; }

void Server::stop() {
  impl_->request_stop();
  // From a handler the loop cannot wait for itself; the drain goes on without us.
  if (!impl_->on_loop_thread()) impl_->join();
}

void Server::wait() { impl_->join(); }

namespace {
// As Bun's server.publish: the message size, or 0 when the topic had no subscriber.
std::size_t publish_to_all(detail::PubSubHub* hub, std::string_view topic, ws::Opcode opcode,
                           std::string_view data, bool compress) {
  if (!hub || hub->publish(topic, opcode, data, compress, nullptr) == 0) return 0;
  return data.size();
}
}  // namespace

std::size_t Server::publish(std::string_view topic, std::string_view data, bool compress) {
  return publish_to_all(impl_->hub.get(), topic, ws::Opcode::text, detail::valid_text(data),
                        compress);
}

std::size_t Server::publish_binary(std::string_view topic, std::string_view data,
                                   bool compress) {
  return publish_to_all(impl_->hub.get(), topic, ws::Opcode::binary, data, compress);
}

std::size_t Server::subscriber_count(std::string_view topic) const {
  return impl_->hub ? impl_->hub->subscriber_count(topic) : 0;
}

namespace {

// Blocks until one of `signals` (blocked by the caller) arrives, returning it, or `stop_fd`
// becomes readable (a stop requested by the app), returning 0.
int wait_for_signal_or_stop(const sigset_t& signals, int stop_fd) {
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0 || stop_fd < 0) {
    // Without the descriptors only a signal can end the wait.
    if (signal_fd >= 0) ::close(signal_fd);
    int received = 0;
    sigwait(&signals, &received);
    return received;
  }
  pollfd waits[2] = {{signal_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  int received = 0;
  while (::poll(waits, 2, -1) < 0 && errno == EINTR) {
  }
  signalfd_siginfo info{};
  if ((waits[0].revents & POLLIN) && ::read(signal_fd, &info, sizeof info) == sizeof info) {
    received = static_cast<int>(info.ssi_signo);
  }
  ::close(signal_fd);
  return received;
}

}  // namespace

int start(Options options) { return detail::start_server(detail::to_config(std::move(options))); }

int detail::start_server(ServerConfig config) {
  // Handle SIGINT/SIGTERM here, not in the loop threads: they inherit this mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  try {
    Server server(std::move(config));
    server.listen();
    log("Server started on http://localhost:" + std::to_string(server.port()));
    if (const int received = wait_for_signal_or_stop(signals, server.impl_->stop_requested_fd)) {
      log(std::string("Received ") + (received == SIGINT ? "SIGINT" : "SIGTERM") +
          ", stopping");
    }
    server.stop();
  } catch (const StartError& e) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    std::fprintf(stderr, "pulsarcpp: %s\n", e.what());
    return 1;
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return 0;
}

}  // namespace pulsarcpp
