#pragma once
// ws_load's command line: what to load, how hard, for how long. Every option has a default
// except --mode and --port; a bad value is an error message, never a silent default.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace ws_load {

enum class Mode { echo, all_to_all, fanout, idle, storm };

inline const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::echo:
      return "echo";
    case Mode::all_to_all:
      return "all-to-all";
    case Mode::fanout:
      return "fanout";
    case Mode::idle:
      return "idle";
    case Mode::storm:
      return "storm";
  }
  return "?";
}

struct Options {
  Mode mode = Mode::echo;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string path = "/ws";
  unsigned connections = 100;     // fanout: subscribers (plus one publisher)
  unsigned source_addresses = 0;  // 0: enough for the connections (16,000 per address)
  unsigned size = 16;             // payload bytes
  unsigned in_flight = 8;         // echo: per client; fanout/all-to-all: per sender
  double rate = 0;                // messages/s per sender (fanout, all-to-all); 0: window only
  bool binary = false;
  double duration_s = 10;
  double warmup_s = 2;
  unsigned threads = 1;
  unsigned concurrency = 64;  // storm: sockets cycling at once
  int server_pid = 0;
  double connect_timeout_s = 30;
  double drain_timeout_s = 5;
  double settle_s = 0.2;         // pause between "all open" and the first message
  unsigned connect_batch = 256;  // handshakes in progress at once, per thread
  bool quiet = false;
};

inline constexpr unsigned kMinStampedSize = 16;  // the stamp of every counted message
inline constexpr unsigned kMaxAllToAll = 4096;   // receivers keep a counter per sender

inline void print_usage(std::FILE* out) {
  std::fputs(
      "usage: ws_load --mode MODE --port PORT [options]\n"
      "\n"
      "modes:\n"
      "  echo        each client keeps --in-flight messages of --size bytes in flight; every echo\n"
      "              is checked byte for byte and in order; counts messages and round trips\n"
      "  all-to-all  every client sends (path gets ?role=all); each message must reach every\n"
      "              other client, in order per sender; counts deliveries\n"
      "  fanout      --connections subscribers (?role=sub) and one publisher (?role=pub); every\n"
      "              subscriber must get every sequence number in order; counts deliveries\n"
      "  idle        opens --connections, holds them for --duration, reports how many stay open\n"
      "  storm       connect + handshake + close, over and over, on --concurrency sockets\n"
      "\n"
      "options (defaults in brackets):\n"
      "  --host H               server address [127.0.0.1]\n"
      "  --port P               server port (required)\n"
      "  --path P               request path [/ws]\n"
      "  --connections N        clients; fanout: subscribers [100]\n"
      "  --source-addresses K   bind clients to 127.0.0.1..127.0.0.K [enough for N]\n"
      "  --size B               message bytes, at least 16 [16]\n"
      "  --in-flight K          unanswered messages per client/sender [8]\n"
      "  --rate R               fanout, all-to-all: messages/s per sender; 0 = as fast as the\n"
      "                         --in-flight window allows [0]\n"
      "  --binary               binary frames instead of text\n"
      "  --duration S           measured seconds [10]\n"
      "  --warmup S             seconds of load before measuring, not counted [2]\n"
      "  --threads N            event loop threads [1]\n"
      "  --concurrency N        storm: sockets cycling at once [64]\n"
      "  --server-pid P         read the server's CPU time (and RSS in idle mode) from /proc/P\n"
      "  --connect-timeout S    time allowed to open every connection [30]\n"
      "  --drain-timeout S      time allowed for in-flight messages after the run [5]\n"
      "  --settle S             pause between 'all open' and the first message [0.2]\n"
      "  --connect-batch N      handshakes in progress at once per thread [256]\n"
      "  --quiet                no progress lines on stderr\n"
      "\n"
      "Prints one JSON line on stdout. Exit status: 0 ok, 1 verification failure (a wrong,\n"
      "missing or out-of-order message, a bad handshake), 2 bad usage, 3 other errors (refused\n"
      "or dropped connections, timeouts).\n",
      out);
}

namespace detail {

template <class T>
bool parse_number(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    // from_chars for double is in libstdc++ 11+, fine here; reject NaN and negatives below.
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && std::isfinite(out) && out >= 0;
  } else {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
  }
}

}  // namespace detail

/// Parses argv; on error prints why and returns nullopt.
inline std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  bool have_mode = false;
  bool have_port = false;
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "ws_load: %s (--help for usage)\n", message.c_str());
    return std::optional<Options>{};
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_usage(stdout);
      std::exit(0);
    }
    if (arg == "--binary") {
      o.binary = true;
      continue;
    }
    if (arg == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= argc) return fail(std::string(arg) + " needs a value");
    std::string_view value = argv[++i];
    auto number = [&](auto& field) { return detail::parse_number(value, field); };
    bool ok = true;
    if (arg == "--mode") {
      have_mode = true;
      if (value == "echo")
        o.mode = Mode::echo;
      else if (value == "all-to-all")
        o.mode = Mode::all_to_all;
      else if (value == "fanout")
        o.mode = Mode::fanout;
      else if (value == "idle")
        o.mode = Mode::idle;
      else if (value == "storm")
        o.mode = Mode::storm;
      else
        return fail("unknown mode '" + std::string(value) + "'");
    } else if (arg == "--host") {
      o.host = value;
    } else if (arg == "--port") {
      ok = number(o.port) && o.port != 0;
      have_port = true;
    } else if (arg == "--path") {
      o.path = value;
      ok = !o.path.empty() && o.path[0] == '/';
    } else if (arg == "--connections") {
      ok = number(o.connections) && o.connections > 0;
    } else if (arg == "--source-addresses") {
      ok = number(o.source_addresses) && o.source_addresses <= 254;
    } else if (arg == "--size") {
      ok = number(o.size) && o.size >= kMinStampedSize && o.size <= (16u << 20);
    } else if (arg == "--in-flight") {
      ok = number(o.in_flight) && o.in_flight > 0 && o.in_flight <= 65536;
    } else if (arg == "--rate") {
      ok = number(o.rate);
    } else if (arg == "--duration") {
      ok = number(o.duration_s) && o.duration_s > 0;
    } else if (arg == "--warmup") {
      ok = number(o.warmup_s);
    } else if (arg == "--threads") {
      ok = number(o.threads) && o.threads > 0 && o.threads <= 256;
    } else if (arg == "--concurrency") {
      ok = number(o.concurrency) && o.concurrency > 0;
    } else if (arg == "--server-pid") {
      ok = number(o.server_pid) && o.server_pid > 0;
    } else if (arg == "--connect-timeout") {
      ok = number(o.connect_timeout_s) && o.connect_timeout_s > 0;
    } else if (arg == "--drain-timeout") {
      ok = number(o.drain_timeout_s);
    } else if (arg == "--settle") {
      ok = number(o.settle_s);
    } else if (arg == "--connect-batch") {
      ok = number(o.connect_batch) && o.connect_batch > 0;
    } else {
      return fail("unknown option " + std::string(arg));
    }
    if (!ok) return fail("bad value '" + std::string(value) + "' for " + std::string(arg));
  }
  if (!have_mode) return fail("--mode is required");
  if (!have_port) return fail("--port is required");
  if (o.mode == Mode::all_to_all && (o.connections < 2 || o.connections > kMaxAllToAll)) {
    return fail("all-to-all needs 2.." + std::to_string(kMaxAllToAll) + " connections");
  }
  if (o.source_addresses == 0) {
    // 16,000 of the ~28,000 ephemeral ports per address leaves room for TIME_WAIT.
    o.source_addresses = o.mode == Mode::storm ? 16 : std::min(254u, 1 + o.connections / 16000);
  }
  return o;
}

}  // namespace ws_load
