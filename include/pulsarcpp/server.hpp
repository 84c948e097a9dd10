#pragma once
// Server: a running instance of the app on a port. start() is the one-call form.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "pulsarcpp/options.hpp"

namespace pulsarcpp {

/// A configuration or start-up failure: a duplicate route, a bad pattern, a port in use.
class StartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Server {
 public:
  /// Validates the options and compiles the routes; throws StartError.
  explicit Server(Options options);
  ~Server();  // stops (gracefully) if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts the loop threads; returns once the server accepts connections.
  /// Throws StartError (port in use, bad hostname).
  void listen();
  /// The bound port (the chosen one when the options asked for 0).
  std::uint16_t port() const noexcept;
  /// Number of event loop threads.
  unsigned threads() const noexcept;
  /// Graceful stop: stop accepting, let in-flight requests finish (up to shutdown_timeout),
  /// close idle connections, join the threads. Idempotent; thread-safe.
  void stop();
  /// Blocks until the server has stopped.
  void wait();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Pulsar's start(): listens (port from the options, else PORT, else 3000), logs
/// "Server started on http://localhost:PORT", serves until SIGINT or SIGTERM, then stops
/// gracefully. Returns 0, or 1 after printing why it could not start.
int start(Options options);

/// The port start() uses when the options give none: PORT from the environment, else 3000.
std::uint16_t default_port();
/// The number of loop threads start() uses for threads = 0: THREADS is NOT read here; CPUs
/// available to the process (sched_getaffinity).
unsigned available_cpus();

}  // namespace pulsarcpp
