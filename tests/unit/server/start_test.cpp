// start(): the one-call form blocks until SIGINT/SIGTERM, or until the app itself stops the
// server from a handler.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <pulsarcpp/pulsarcpp.hpp>

#include "support/raw_client.hpp"
#include "support/ws_server.hpp"

namespace pulsarcpp {
namespace {

using namespace std::chrono_literals;
using test::RawClient;

// A port nothing listens on right now (the kernel's choice of an ephemeral one).
std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
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

}  // namespace
}  // namespace pulsarcpp
