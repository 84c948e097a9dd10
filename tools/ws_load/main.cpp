// ws_load: the project's WebSocket load generator (BENCHMARKS.md W1-W4). Opens thousands of
// connections with epoll, checks every handshake and every message it counts, and prints one
// line of JSON. `ws_load --help` lists the modes and options.
//
// The main thread is the controller: it moves the run through its phases (connect, warm-up,
// measure, drain, close) on the clock and reads the server's CPU time and memory from /proc;
// the workers (--threads, one by default) do all the I/O.

#include <netdb.h>
#include <sys/resource.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "client.hpp"
#include "modes.hpp"
#include "options.hpp"
#include "stats.hpp"

using namespace ws_load;

namespace {

// --- The server's /proc figures ---------------------------------------------------------------

/// CPU time of every thread of a process, in seconds.
struct CpuTimes {
  double user = -1;  // negative when the process cannot be read
  double system = -1;

  bool known() const { return user >= 0 && system >= 0; }
  double total() const { return user + system; }
};

CpuTimes server_cpu_times(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return {};
  // After "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const auto hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {static_cast<double>(utime) / hz, static_cast<double>(stime) / hz};
}

/// VmRSS in bytes; negative when unknown.
long long server_rss_bytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// --- Setup ------------------------------------------------------------------------------------

void raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

bool resolve(Shared& shared, const Options& o) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(o.host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    std::fprintf(stderr, "ws_load: cannot resolve %s (IPv4)\n", o.host.c_str());
    return false;
  }
  shared.server = *reinterpret_cast<sockaddr_in*>(found->ai_addr);
  shared.server.sin_port = htons(o.port);
  ::freeaddrinfo(found);
  shared.host_header = o.host + ":" + std::to_string(o.port);
  const bool loopback = (ntohl(shared.server.sin_addr.s_addr) >> 24) == 127;
  if (o.source_addresses > 1) {
    if (!loopback) {
      std::fprintf(stderr, "ws_load: --source-addresses needs a 127.x.x.x server address\n");
      return false;
    }
    for (unsigned k = 0; k < o.source_addresses; ++k) {
      in_addr a{};
      a.s_addr = htonl((127u << 24) | (k + 1));  // 127.0.0.1, 127.0.0.2, ...
      shared.sources.push_back(a);
    }
  }
  return true;
}

std::string with_role(const std::string& path, const char* role) {
  return path + (path.find('?') == std::string::npos ? "?role=" : "&role=") + role;
}

const char* unit_name(Mode mode) {
  switch (mode) {
    case Mode::echo:
      return "messages";
    case Mode::all_to_all:
    case Mode::fanout:
      return "deliveries";
    case Mode::idle:
      return "connections";
    case Mode::storm:
      return "upgrades";
  }
  return "events";
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// --- The run ----------------------------------------------------------------------------------

class Controller {
 public:
  explicit Controller(const Options& o) : opt_(o), shared_(o) {}

  int run() {
    if (!resolve(shared_, opt_)) return 2;
    build();
    log("%s: %u connection(s) to %s%s, %u thread(s), %u source address(es)", mode_name(opt_.mode),
        total_conns(), shared_.host_header.c_str(), opt_.path.c_str(), opt_.threads,
        std::max(1u, static_cast<unsigned>(shared_.sources.size())));
    if (opt_.server_pid > 0) rss_before_ = server_rss_bytes(opt_.server_pid);
    if (opt_.mode == Mode::storm) {
      for (auto& w : workers_) w->count_settles(false);
      shared_.phase.store(Phase::warmup, std::memory_order_release);
    }
    for (auto& w : workers_) threads_.emplace_back([&w] { w->run(); });

    if (opt_.mode != Mode::storm && !connect_all()) {
      finish_run();
      return report(0);
    }
    if (opt_.mode != Mode::storm) {
      sleep_s(opt_.settle_s);
      set_phase(Phase::warmup);
    }
    // The load starts when a worker enters the warm-up; with --warmup 0 a worker could
    // otherwise see the measure phase first and never start.
    wait_flag(&Worker::warming_flag, 5, "warm-up start");
    wait_progress("warm-up", opt_.warmup_s, false);
    const CpuTimes cpu_before = cpu();
    const auto t0 = std::chrono::steady_clock::now();
    set_phase(Phase::measure);
    wait_progress("measure", opt_.duration_s, true);
    const CpuTimes cpu_after = cpu();
    measured_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (cpu_before.known() && cpu_after.known()) {
      server_cpu_s_ = cpu_after.total() - cpu_before.total();
      server_system_cpu_s_ = cpu_after.system - cpu_before.system;
    }
    open_at_end_ = shared_.open.load();
    if (opt_.server_pid > 0) rss_after_ = server_rss_bytes(opt_.server_pid);
    finish_run();
    return report(open_at_end_);
  }

 private:
  unsigned total_conns() const {
    if (opt_.mode == Mode::storm) return opt_.concurrency;
    return opt_.connections + (opt_.mode == Mode::fanout ? 1 : 0);
  }

  void build() {
    const unsigned n = total_conns();
    const unsigned threads = opt_.threads;
    std::vector<Conn*> conns;
    std::vector<unsigned> worker_of;
    for (unsigned i = 0; i < n; ++i) {
      auto c = std::make_unique<Conn>(i, 64ull << 20);
      switch (opt_.mode) {
        case Mode::fanout:
          c->role = i == 0 ? Role::pub : Role::sub;
          c->target = with_role(opt_.path, i == 0 ? "pub" : "sub");
          break;
        case Mode::all_to_all:
          c->role = Role::all;
          c->target = with_role(opt_.path, "all");
          break;
        default:
          c->target = opt_.path;
      }
      conns.push_back(c.get());
      worker_of.push_back(i % threads);
      owned_.push_back(std::move(c));
    }
    switch (opt_.mode) {
      case Mode::echo:
        behaviour_ = std::make_unique<EchoBehaviour>(opt_);
        break;
      case Mode::fanout:
      case Mode::all_to_all:
        behaviour_ = std::make_unique<BroadcastBehaviour>(opt_, conns, worker_of, threads);
        break;
      case Mode::idle:
        behaviour_ = std::make_unique<IdleBehaviour>();
        break;
      case Mode::storm:
        behaviour_ = std::make_unique<StormBehaviour>(threads);
        break;
    }
    for (unsigned t = 0; t < threads; ++t) {
      workers_.push_back(std::make_unique<Worker>(shared_, *behaviour_, t));
      shared_.workers.push_back(workers_.back().get());
    }
    // For fanout the subscribers come first in each worker's list and the publisher last, so
    // the publisher opens after them.
    for (unsigned i = 0; i < n; ++i) {
      const unsigned idx = opt_.mode == Mode::fanout ? (i + 1) % n : i;
      workers_[worker_of[idx]]->conns().push_back(std::move(owned_[idx]));
    }
    owned_.clear();
  }

  // The barrier before any load: every connection open (or failed), within --connect-timeout.
  bool connect_all() {
    const unsigned n = total_conns();
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration<double>(opt_.connect_timeout_s);
    auto last_print = start;
    while (shared_.settled.load() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (std::chrono::steady_clock::now() - last_print >= std::chrono::seconds(1)) {
        last_print = std::chrono::steady_clock::now();
        log("connecting: %u of %u open", shared_.open.load(), n);
      }
    }
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const unsigned open = shared_.open.load();
    log("%u of %u connection(s) open in %.2f s", open, n, took);
    if (shared_.settled.load() < n) {
      timeout_error_ = "not every connection opened within --connect-timeout";
    }
    if (open == 0) {
      log("no connection could be opened: giving up");
      return false;
    }
    return true;
  }

  void set_phase(Phase p) { shared_.phase.store(p, std::memory_order_release); }

  CpuTimes cpu() const {
    return opt_.server_pid > 0 ? server_cpu_times(opt_.server_pid) : CpuTimes{};
  }

  static void sleep_s(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

  std::uint64_t counted_now() const {
    std::uint64_t sum = 0;
    for (const auto& w : workers_) sum += w->progress.load(std::memory_order_relaxed);
    return sum;
  }

  // Sleeps `seconds`, printing one line a second.
  void wait_progress(const char* what, double seconds, bool counting) {
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(seconds));
    std::uint64_t last = counted_now();
    auto last_t = start;
    while (true) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= end) break;
      const auto next = std::min(end, last_t + std::chrono::seconds(1));
      std::this_thread::sleep_until(next);
      const auto t = std::chrono::steady_clock::now();
      if (counting && t - last_t >= std::chrono::milliseconds(900)) {
        const std::uint64_t c = counted_now();
        const double dt = std::chrono::duration<double>(t - last_t).count();
        log("%s %4.1fs: %10.0f %s/s, %u open", what,
            std::chrono::duration<double>(t - start).count(), static_cast<double>(c - last) / dt,
            unit_name(opt_.mode), shared_.open.load());
        last = c;
        last_t = t;
      } else if (!counting) {
        last_t = t;
      }
    }
  }

  bool all(std::atomic<bool> Worker::*flag) const {
    for (const auto& w : workers_) {
      if (!((*w).*flag).load(std::memory_order_acquire)) return false;
    }
    return true;
  }

  void wait_flag(std::atomic<bool> Worker::*flag, double seconds, const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!all(flag) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!all(flag)) log("%s: gave up after %.1f s", what, seconds);
  }

  void finish_run() {
    set_phase(Phase::drain);
    wait_flag(&Worker::drained_flag, opt_.drain_timeout_s, "drain");
    set_phase(Phase::close);
    wait_flag(&Worker::closed_flag, 4, "close");
    set_phase(Phase::done);
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  int report(unsigned open_at_end) {
    Stats total;
    for (const auto& w : workers_) total.merge(w->stats());
    if (!timeout_error_.empty()) total.error(timeout_error_);
    const bool idle = opt_.mode == Mode::idle;
    const std::uint64_t count = idle ? open_at_end : total.counted;
    const double rate = measured_s_ > 0 && !idle ? static_cast<double>(count) / measured_s_ : 0;
    const auto& h = total.latency;

    std::string j = "{";
    auto field = [&](const char* name, const std::string& value) {
      if (j.size() > 1) j += ",";
      j += "\"";
      j += name;
      j += "\":";
      j += value;
    };
    auto num = [](double v, int decimals) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
      return std::string(buf);
    };
    auto integer = [](long long v) { return std::to_string(v); };
    field("mode", json_string(mode_name(opt_.mode)));
    field("connections", integer(opt_.mode == Mode::storm ? opt_.concurrency : opt_.connections));
    field("open", integer(open_at_end));
    field("threads", integer(opt_.threads));
    field("size", integer(opt_.size));
    field("in_flight", integer(opt_.in_flight));
    field("warmup_s", num(opt_.warmup_s, 3));
    field("duration_s", num(measured_s_, 3));
    field("unit", json_string(unit_name(opt_.mode)));
    field("count", integer(static_cast<long long>(count)));
    // The count under its own name too ("messages": ...); idle's is "open", already there.
    if (!idle) field(unit_name(opt_.mode), integer(static_cast<long long>(count)));
    field("rate", num(rate, 1));
    field("sent", integer(static_cast<long long>(total.sent)));
    field("received", integer(static_cast<long long>(total.received)));
    field("latency_samples", integer(static_cast<long long>(h.count())));
    field("latency_p50_us", integer(static_cast<long long>(h.percentile(0.50))));
    field("latency_p90_us", integer(static_cast<long long>(h.percentile(0.90))));
    field("latency_p99_us", integer(static_cast<long long>(h.percentile(0.99))));
    field("latency_max_us", integer(static_cast<long long>(h.max())));
    field("errors", integer(static_cast<long long>(total.errors)));
    field("verification_failures", integer(static_cast<long long>(total.failures)));
    field("loss", integer(static_cast<long long>(total.lost)));
    field("first_error", json_string(total.first_error));
    field("first_failure", json_string(total.first_failure));
    if (opt_.server_pid > 0) {
      field("server_pid", integer(opt_.server_pid));
      field("server_cpu_s", server_cpu_s_ >= 0 ? num(server_cpu_s_, 3) : "null");
      // Of which in the kernel (its TCP work for the server included).
      field("server_system_cpu_s",
            server_system_cpu_s_ >= 0 ? num(server_system_cpu_s_, 3) : "null");
      field("rate_per_server_cpu_s", server_cpu_s_ > 0 && !idle
                                         ? num(static_cast<double>(count) / server_cpu_s_, 1)
                                         : "null");
      field("server_rss_before_bytes", integer(rss_before_));
      field("server_rss_after_bytes", integer(rss_after_));
      if (idle && open_at_end > 0 && rss_before_ >= 0 && rss_after_ >= 0) {
        field("server_rss_per_connection_bytes",
              num(static_cast<double>(rss_after_ - rss_before_) / open_at_end, 1));
      }
    }
    j += "}";
    std::printf("%s\n", j.c_str());
    std::fflush(stdout);

    log("%s: %llu %s in %.2f s = %.0f/s; latency p50 %llu us, p99 %llu us, max %llu us",
        mode_name(opt_.mode), static_cast<unsigned long long>(count), unit_name(opt_.mode),
        measured_s_, rate, static_cast<unsigned long long>(h.percentile(0.5)),
        static_cast<unsigned long long>(h.percentile(0.99)),
        static_cast<unsigned long long>(h.max()));
    if (opt_.server_pid > 0 && server_cpu_s_ > 0 && !idle) {
      log("server CPU %.2f s: %.0f %s per CPU second", server_cpu_s_,
          static_cast<double>(count) / server_cpu_s_, unit_name(opt_.mode));
    }
    if (idle && rss_before_ >= 0 && rss_after_ >= 0 && open_at_end > 0) {
      log("server RSS %lld -> %lld bytes: %.0f bytes per connection", rss_before_, rss_after_,
          static_cast<double>(rss_after_ - rss_before_) / open_at_end);
    }
    if (total.errors)
      log("errors: %llu (first: %s)", static_cast<unsigned long long>(total.errors),
          total.first_error.c_str());
    if (total.failures) {
      log("VERIFICATION FAILURES: %llu (first: %s)",
          static_cast<unsigned long long>(total.failures), total.first_failure.c_str());
      return 1;
    }
    return total.errors ? 3 : 0;
  }

  template <class... Args>
  void log(const char* format, Args... args) const {
    if (opt_.quiet) return;
    std::fprintf(stderr, "[ws_load] ");
    if constexpr (sizeof...(Args) == 0) {
      std::fputs(format, stderr);
    } else {
      std::fprintf(stderr, format, args...);
    }
    std::fputc('\n', stderr);
  }

  const Options& opt_;
  Shared shared_;
  std::unique_ptr<Behaviour> behaviour_;
  std::vector<std::unique_ptr<Conn>> owned_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  double measured_s_ = 0;
  double server_cpu_s_ = -1;
  double server_system_cpu_s_ = -1;
  long long rss_before_ = -1;
  long long rss_after_ = -1;
  unsigned open_at_end_ = 0;
  std::string timeout_error_;
};

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) return 2;
  raise_fd_limit();
  now_us();  // fixes the time origin of every stamp
  Controller controller(*options);
  return controller.run();
}
