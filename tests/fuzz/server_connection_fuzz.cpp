// libFuzzer target for the connections: arbitrary client bytes sent over a real socket to a
// running Server, so the HTTP connection (keep-alive, pipelining, bodies, Expect, streamed
// answers, coroutine handlers, the upgrade) and the WebSocket connection after it (echo, and
// pub/sub) see what a hostile client can send. Beyond crashes and sanitizer reports it traps when
// the server does not end the connection after the client has ended its side, when it resets it
// (except after its WebSocket close frame, see below), and when what it sent is not a well-formed
// sequence of HTTP/1.1 responses (then, after a 101, of server WebSocket frames).
//
// Input: the first byte is the size of the pieces the rest is written in (0: one write), so
// the server also meets requests and frames that arrive in parts.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "pulsarcpp/pulsarcpp.hpp"
#include "ws/close.hpp"
#include "ws/utf8.hpp"

namespace {

using namespace pulsarcpp;
using namespace std::chrono_literals;
using WS = WebSocket<std::monostate>;

// Long enough for a sanitizer build on a busy machine; a server that keeps the connection open
// after the client's end of input never gets there.
constexpr int kQuietLimitMs = 10'000;

void fail(const char* why) {
  std::fprintf(stderr, "server_connection_fuzz: %s\n", why);
  __builtin_trap();
}

void check(bool ok, const char* why) {
  if (!ok) fail(why);
}

AsyncGenerator<std::string> three_parts() {
  for (int i = 1; i <= 3; ++i) co_yield "part " + std::to_string(i) + "\n";
}

AsyncGenerator<SseEvent> two_events() {
  for (int i = 1; i <= 2; ++i) {
    SseEvent event{.data = "event " + std::to_string(i), .id = std::to_string(i)};
    co_yield std::move(event);
  }
}

// A route for each kind of answer, so every way of writing a response meets every input.
std::vector<Route> routes() {
  return {
      router::get("/",
                  [](Context&) {
                    return json({{"message", "Hello, world!"}});
                  }),
      // Prefixed so no body starts like a status line (see ResponseChecker::body_follows).
      router::post("/echo", [](Context& ctx) { return text("echo:" + std::string(ctx.body())); }),
      router::post("/json", [](Context& ctx) { return json(ctx.json()); }),
      router::get("/users/:id",
                  [](Context& ctx) {
                    return json({{"id", ctx.param("id")}});
                  }),
      router::get("/stream", [](Context&) { return stream(three_parts()); }),
      router::get("/events", [](Context&) { return sse(two_events()); }),
      router::get("/throw", [](Context&) -> Response { throw std::runtime_error("fuzz"); }),
      router::get("/slow",
                  [](Context&) -> Task<Response> {
                    co_await sleep_for(1ms);
                    co_return text("slow");
                  }),
      router::all("/redirect", [](Context&) { return redirect("/"); }),
      router::post("/publish",
                   [](Context& ctx) {
                     return text(std::to_string(ctx.server()->publish("room", ctx.body())));
                   }),
  };
}

Middleware answering_middleware() {
  return [](Context& ctx, Next next) -> Task<Response> {
    if (ctx.header("x-stop") == "yes") co_return error(429);
    ctx.add_response_header("X-Seen", "yes");
    co_return co_await next();
  };
}

WebSocketBehavior<std::monostate> echo_endpoint(std::string path, bool deflate) {
  return {
      .path = std::move(path),
      .message =
          [](WS& ws, Message m) {
            // Compressed where the client agreed to it, to write deflated frames too.
            m.binary ? ws.send_binary(m.data, true) : ws.send_text(m.data, true);
          },
      .max_payload_length = 1024,
      .per_message_deflate = {.enabled = deflate},
      .subprotocols = {"chat"},
  };
}

// Pub/sub on one socket: it subscribes on open and publishes what it gets to itself too, framed
// (and compressed) once for the topic; "+" and "-" subscribe and unsubscribe.
WebSocketBehavior<std::monostate> pubsub_endpoint() {
  return {
      .path = "/wsp",
      .open = [](WS& ws) { ws.subscribe("room"); },
      .message =
          [](WS& ws, Message m) {
            if (m.data == "+") {
              ws.subscribe("room");
            } else if (m.data == "-") {
              ws.unsubscribe("room");
            } else {
              m.binary ? ws.publish_binary("room", m.data, true) : ws.publish("room", m.data, true);
            }
          },
      .max_payload_length = 1024,
      .publish_to_self = true,
      .per_message_deflate = {.enabled = true},
  };
}

std::string make_public_dir() {
  char pattern[] = "/tmp/pulsarcpp-fuzz-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  if (dir == nullptr) fail("mkdtemp");
  std::ofstream(std::string(dir) + "/a.txt") << std::string(100, 'a');
  return dir;
}

// Started once and never stopped: libFuzzer ends the process with exit().
std::uint16_t server_port() {
  static const std::uint16_t port = [] {
    auto* server = new Server(Options{
        .port = 0,
        .hostname = "127.0.0.1",
        .routes = routes(),
        .middlewares = {answering_middleware()},
        .websocket = echo_endpoint("/ws", false),
        .websockets = {echo_endpoint("/wsz", true), pubsub_endpoint()},
        .threads = 1,
        .worker_threads = 1,
        // Small, so that inputs of a few KiB reach every limit.
        .limits = {.max_head_bytes = 1024, .max_header_count = 16, .max_body_bytes = 2048},
        .public_dir = make_public_dir(),
    });
    server->listen();
    return server->port();
  }();
  return port;
}

// Each connection from the next of 250 loopback addresses: the client ends its side first, so
// its end of every connection waits out TIME_WAIT, and from one address the ephemeral ports
// could run out at this rate (with what other tests left behind).
void bind_next_source(int fd) {
  static unsigned next = 0;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);  // port at connect
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + next++ % 250);  // 127.0.0.2 onwards
  ::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source);     // else from 127.0.0.1
}

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) bind_next_source(fd);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("server_connection_fuzz: connect");
    fail("cannot connect to the server");
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

// Closes with a reset, so the many short connections leave no TIME_WAIT behind to run the
// ephemeral ports out.
void close_abortively(int fd) {
  const linger abort_on_close{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd);
}

struct Answer {
  std::string bytes;   // what the server sent
  bool reset = false;  // it ended the connection with a reset rather than a FIN
};

// Writes `input` in pieces of `piece` bytes (all at once when 0) while reading the answer,
// ends the sending side, and reads until the server closes.
Answer exchange(std::string_view input, std::size_t piece) {
  const int fd = connect_to(server_port());
  Answer answer;
  std::string& received = answer.bytes;
  bool sending = true;
  while (true) {
    if (sending && input.empty()) {
      ::shutdown(fd, SHUT_WR);
      sending = false;
    }
    pollfd p{
        .fd = fd, .events = static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), .revents = 0};
    const int ready = ::poll(&p, 1, kQuietLimitMs);
    check(ready != 0, "the server kept the connection open after the client's end of input");
    if (ready < 0) continue;  // EINTR
    if (sending && (p.revents & POLLOUT)) {
      const std::size_t size = piece == 0 ? input.size() : std::min(piece, input.size());
      const ssize_t sent = ::send(fd, input.data(), size, MSG_NOSIGNAL);
      if (sent > 0) input.remove_prefix(static_cast<std::size_t>(sent));
      // The server closed early (after an error answer); what it sent is still to be read.
      if (sent < 0 && errno != EAGAIN) input = {};
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[16384];
      const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got > 0) {
        received.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0) {
        break;
      } else if (errno != EAGAIN && errno != EINTR) {
        answer.reset = errno == ECONNRESET;
        check(answer.reset, "a receive error other than a reset");
        break;
      }
    }
  }
  close_abortively(fd);
  return answer;
}

// A number in `base` that is the whole of `text`.
std::uint64_t number(std::string_view text, int base, const char* what) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  check(!text.empty() && ec == std::errc{} && end == text.data() + text.size(), what);
  return value;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Server-to-client WebSocket frames, RFC 6455 §5: unmasked, minimal lengths, valid opcodes,
// control frames whole and short, RSV1 only on the first frame of a message and only when
// permessage-deflate was agreed, text valid UTF-8, and nothing after a close frame.
class FrameChecker {
 public:
  explicit FrameChecker(bool deflate) : deflate_(deflate) {}

  bool closed() const noexcept { return closed_; }

  void check_all(std::string_view bytes) {
    while (!bytes.empty()) {
      check(!closed_, "bytes after the server's close frame");
      check(bytes.size() >= 2, "a cut frame header");
      const auto b0 = static_cast<std::uint8_t>(bytes[0]);
      const auto b1 = static_cast<std::uint8_t>(bytes[1]);
      check((b1 & 0x80) == 0, "a masked server frame");
      std::size_t header = 2;
      std::uint64_t length = b1 & 0x7f;
      if (length >= 126) {
        const std::size_t extra = length == 126 ? 2 : 8;
        check(bytes.size() >= 2 + extra, "a cut frame length");
        length = 0;
        for (std::size_t i = 0; i < extra; ++i) {
          length = (length << 8) | static_cast<std::uint8_t>(bytes[2 + i]);
        }
        check(extra == 2 ? length >= 126 : length > 0xffff, "a length not in its shortest form");
        header += extra;
      }
      check(bytes.size() - header >= length, "a cut frame payload");
      frame(b0, bytes.substr(header, static_cast<std::size_t>(length)));
      bytes.remove_prefix(header + static_cast<std::size_t>(length));
    }
  }

 private:
  void frame(std::uint8_t b0, std::string_view payload) {
    const bool fin = (b0 & 0x80) != 0;
    const bool rsv1 = (b0 & 0x40) != 0;
    const int opcode = b0 & 0x0f;
    check((b0 & 0x30) == 0, "RSV2 or RSV3 set");
    if (opcode >= 8) return control(opcode, fin, rsv1, payload);
    check(opcode <= 2, "a reserved data opcode");
    check((opcode == 0) == in_message_, "a continuation out of place, or a message in a message");
    if (opcode != 0) {
      compressed_ = rsv1;
      text_ = opcode == 1;
      utf8_ = {};
    } else {
      check(!rsv1, "RSV1 on a continuation frame");
    }
    check(!rsv1 || deflate_, "RSV1 without permessage-deflate");
    if (text_ && !compressed_) check(utf8_.feed(payload), "invalid UTF-8 in a text message");
    in_message_ = !fin;
    if (fin && text_ && !compressed_) check(utf8_.complete(), "a text message cut in UTF-8");
  }

  void control(int opcode, bool fin, bool rsv1, std::string_view payload) {
    check(opcode <= 10, "a reserved control opcode");
    check(fin && !rsv1 && payload.size() <= 125, "a fragmented, compressed or long control frame");
    if (opcode != 8) return;
    closed_ = true;
    if (payload.empty()) return;
    check(payload.size() >= 2, "a close frame with one byte");
    const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                                 static_cast<std::uint8_t>(payload[1]));
    check(ws::is_valid_close_code(code), "an invalid close code");
    check(ws::is_valid_utf8(payload.substr(2)), "a close reason that is not UTF-8");
  }

  bool deflate_;
  bool closed_ = false;
  bool in_message_ = false;
  bool compressed_ = false;
  bool text_ = false;
  ws::Utf8Validator utf8_;
};

// A sequence of HTTP/1.1 responses (RFC 9112), each framed so the next can be found.
class ResponseChecker {
 public:
  // Returns whether the answer ended with a WebSocket close frame.
  bool check_all(std::string_view bytes) {
    rest_ = bytes;
    while (!rest_.empty()) {
      if (!response()) return sent_close_frame_;  // switched protocols: the rest were frames
    }
    return false;
  }

 private:
  struct Head {
    int status = 0;
    int content_lengths = 0;
    std::uint64_t content_length = 0;
    bool chunked = false;
    bool closes = false;
    bool deflate = false;
  };

  std::string_view line() {
    const std::size_t end = rest_.find("\r\n");
    check(end != std::string_view::npos, "a cut line in a response head");
    const std::string_view text = rest_.substr(0, end);
    check(text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos,
          "CR, LF or NUL inside a response line");
    rest_.remove_prefix(end + 2);
    return text;
  }

  void status_line(Head& head) {
    const std::string_view text = line();
    check(text.size() >= 13 && text.starts_with("HTTP/1.1 ") && text[12] == ' ',
          "a malformed status line");
    head.status = static_cast<int>(number(text.substr(9, 3), 10, "a status that is no number"));
    check(head.status >= 100 && head.status <= 599, "a status out of range");
  }

  void field(Head& head, std::string_view text) {
    const std::size_t colon = text.find(':');
    check(colon != std::string_view::npos && colon > 0, "a header line without a name");
    const std::string_view name = text.substr(0, colon);
    check(std::all_of(name.begin(), name.end(), is_token_char), "a header name not a token");
    const std::string lowered = lower(name);
    std::string_view value = text.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    const std::string lowered_value = lower(value);
    if (lowered == "content-length") {
      ++head.content_lengths;
      head.content_length = number(value, 10, "a malformed Content-Length");
    } else if (lowered == "transfer-encoding") {
      check(lowered_value == "chunked", "a transfer coding other than chunked");
      head.chunked = true;
    } else if (lowered == "connection") {
      head.closes = lowered_value.find("close") != std::string::npos;
    } else if (lowered == "sec-websocket-extensions") {
      head.deflate = lowered_value.starts_with("permessage-deflate");
    }
  }

  // A body follows unless this answers HEAD: then the next response (or the end) comes at
  // once. No body this server sends starts like a status line.
  bool body_follows() const { return !rest_.empty() && !rest_.starts_with("HTTP/1.1 "); }

  void chunked_body() {
    while (true) {
      const auto size = static_cast<std::size_t>(number(line(), 16, "a malformed chunk size"));
      if (size == 0) break;
      check(size <= rest_.size() && rest_.substr(size).starts_with("\r\n"), "a cut chunk");
      rest_.remove_prefix(size + 2);
    }
    while (!line().empty()) {
    }  // trailer fields
  }

  // Checks one response; false once it switched protocols and the rest has been checked too.
  bool response() {
    Head head;
    status_line(head);
    for (std::string_view text = line(); !text.empty(); text = line()) field(head, text);
    if (head.status == 101) {
      FrameChecker frames(head.deflate);
      frames.check_all(rest_);
      sent_close_frame_ = frames.closed();
      return false;
    }
    if (head.status == 100) return true;
    check(head.status >= 200, "an informational status other than 100 and 101");
    check(!(head.chunked && head.content_lengths > 0), "both Content-Length and chunked");
    check(head.content_lengths <= 1, "Content-Length twice");
    const bool bodiless = head.status == 204 || head.status == 304;
    if (!bodiless && !head.chunked && head.content_lengths == 0) {
      // A body that ends with the connection: a stream to an HTTP/1.0 client, which cannot
      // read chunks. The server must say so.
      check(head.closes, "a body framed by the close without Connection: close");
      rest_ = {};
      return true;
    }
    if (!bodiless && body_follows()) {
      if (head.chunked) {
        chunked_body();
      } else {
        check(rest_.size() >= head.content_length, "a body shorter than its Content-Length");
        rest_.remove_prefix(static_cast<std::size_t>(head.content_length));
      }
    }
    check(!head.closes || rest_.empty(), "bytes after a response that closes the connection");
    return true;
  }

  std::string_view rest_;
  bool sent_close_frame_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Answer answer = exchange(input, piece);
  const bool sent_close_frame = ResponseChecker().check_all(answer.bytes);
  // Once both close frames have crossed, the server closes at once (RFC 6455 §7.1.1); bytes a
  // client sends after its own close frame, against §5.5.1, then meet a reset. Anywhere else a
  // reset could destroy an answer on its way.
  check(!answer.reset || sent_close_frame, "the server reset the connection");
  return 0;
}
