#include "server/listener.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "pulsarcpp/pulsarcpp.hpp"
#include "support/raw_client.hpp"
#include "support/test_server.hpp"
#include "support/ws_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::get_request;
using test::RawClient;
using test::TestServer;

// Sockets only: a loop also keeps an io_uring descriptor, created with its first connection.
std::size_t open_sockets() {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const auto target = std::filesystem::read_symlink(entry.path(), error).string();
    if (target.starts_with("socket:")) ++count;
  }
  return count;
}

double process_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Sets the soft descriptor limit for the life of the object.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(rlim_t limit) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = limit;
    ok_ = ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  ~DescriptorLimit() { restore(); }
  void restore() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// When accept4 fails for lack of descriptors the connection stays queued, so a level-triggered
// listener would wake its loop again at once, for as long as the shortage lasts.
TEST(ListenerTest, RunningOutOfDescriptorsPausesAcceptingThenRecovers) {
  TestServer server({.routes = {router::get("/", [](Context&) { return text("ok"); })}});
  const std::size_t baseline = open_sockets();
  {
    // One ordinary request first. Besides showing the server works, it lets UndefinedBehavior-
    // Sanitizer check the listener's type while it still can: that check opens a pipe, which
    // fails once no descriptor is left, and is then reported as a bad object.
    RawClient warm_up(server.port());
    ASSERT_TRUE(warm_up.send(get_request("/")));
    auto r = warm_up.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "ok");
  }
  // The server has closed its side too: no descriptor below the limit set next can free up.
  ASSERT_TRUE(test::eventually([&] { return open_sockets() == baseline; }));
  // The lowest free descriptor number: the client's socket takes it, and the server has none.
  const int next = ::dup(0);
  ASSERT_GE(next, 0);
  ::close(next);
  DescriptorLimit limit(static_cast<rlim_t>(next) + 1);
  ASSERT_TRUE(limit.ok());

  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(get_request("/")));
  // The kernel completed the handshake; the server cannot accept. Its loop must not spin: the
  // window below is what the CPU time is measured over, not a wait for something to happen.
  const double before = process_cpu_seconds();
  EXPECT_TRUE(client.stays_silent(500ms));
  const double spent = process_cpu_seconds() - before;
  EXPECT_LT(spent, 0.2) << "the loop kept waking for a connection it could not accept";

  limit.restore();
  auto r = client.read_response();
  ASSERT_TRUE(r) << "the queued connection was never accepted";
  EXPECT_EQ(r->body, "ok");
}

}  // namespace
}  // namespace pulsarcpp
