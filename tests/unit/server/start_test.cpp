// start(): the one-call form blocks until SIGINT/SIGTERM, or until the app itself stops the
// server from a handler.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <random>
#include <pulsarcpp/pulsarcpp.hpp>

#include "support/raw_client.hpp"
#include "support/socket_address.hpp"
#include "support/ws_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::RawClient;

// The lowest port the kernel hands out by itself (net.ipv4.ip_local_port_range).
int first_ephemeral_port() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  return low;
}

// A port nothing listens on right now, taken below the ephemeral range: an ephemeral one could
// be handed to another test's client socket or port-0 server (ctest runs tests in parallel)
// between this check and start()'s bind.
std::uint16_t unused_port() {
  int below = std::min(first_ephemeral_port(), 65536) - 1;
  if (below < 2048) below = 65535;  // no room below the range: take the race
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(std::max(below - 10000, 1024), below);
  for (;;) {
    const auto port = static_cast<std::uint16_t>(pick(random));
    if (test::can_bind("127.0.0.1", port)) return port;
  }
}

// Blocks SIGTERM in the calling thread and sends it to the process, where only start()'s
// signal wait can take it.
void send_sigterm() {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);
  ::kill(::getpid(), SIGTERM);
}

// Runs start() on its own thread; the port answers once it is listening.
struct Started {
  explicit Started(Options options) {
    options.hostname = "127.0.0.1";
    options.port = port;
    options.threads = 1;
    result = std::async(std::launch::async, [options = std::move(options)]() mutable {
      return start(std::move(options));
    });
  }
  std::unique_ptr<RawClient> connect() const {
    std::unique_ptr<RawClient> client;
    test::eventually([&] {
      client = std::make_unique<RawClient>(port);
      return client->connected();
    });
    return client;
  }
  ~Started() {
    // A test that failed while start() still runs must not hang the suite.
    if (result.valid() && result.wait_for(0s) != std::future_status::ready) send_sigterm();
  }
  std::uint16_t port = unused_port();
  std::future<int> result;
};

TEST(StartTest, AHandlerThatStopsTheServerEndsStart) {
  Started started({.routes = {router::get("/stop", [](Context& ctx) {
    ctx.server()->stop();
    return text("stopping");
  })}});
  auto client = started.connect();
  ASSERT_TRUE(client->connected());
  ASSERT_TRUE(client->send(test::get_request("/stop")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "stopping");
  ASSERT_EQ(started.result.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(started.result.get(), 0);
}

TEST(StartTest, SigtermEndsStartGracefully) {
  Started started({.routes = {router::get("/", [](Context&) { return text("up"); })}});
  auto client = started.connect();
  ASSERT_TRUE(client->connected());
  ASSERT_TRUE(client->send(test::get_request("/")));
  ASSERT_TRUE(client->read_response());
  send_sigterm();
  ASSERT_EQ(started.result.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(started.result.get(), 0);
}

TEST(StartTest, APortInUseIsAnErrorNotAnAbort) {
  Server first({.port = 0, .hostname = "127.0.0.1"});
  first.listen();
  const int result = start({.port = first.port(), .hostname = "127.0.0.1"});
  EXPECT_EQ(result, 1);
}

TEST(StartTest, APortFromTheEnvironmentThatIsNoNumberFailsTheStart) {
  ::setenv("PORT", "abc", 1);
  testing::internal::CaptureStderr();
  const int result = start({.hostname = "127.0.0.1"});
  const std::string printed = testing::internal::GetCapturedStderr();
  ::unsetenv("PORT");
  EXPECT_EQ(result, 1);
  EXPECT_NE(printed.find("PORT=abc is not a port number"), std::string::npos) << printed;
}

}  // namespace
}  // namespace pulsarcpp
