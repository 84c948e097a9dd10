// Pulsar's "Responses" page in C++: every helper (json, text, html, file, redirect, stream,
// sse, error, custom_response), statuses, headers and cookies. Run it from this folder: file()
// paths are relative to the working directory, and ./public is served under /public/.
#include <pulsarcpp/pulsarcpp.hpp>

#include <chrono>

using namespace pulsarcpp;
using namespace std::chrono_literals;

namespace {

AsyncGenerator<std::string> count_to(int n) {
  for (int i = 1; i <= n; ++i) {
    co_await sleep_for(10ms);  // a slow producer: the loop serves others meanwhile
    co_yield std::to_string(i) + "\n";
  }
}

AsyncGenerator<SseEvent> ticks(int n) {
  for (int i = 1; i <= n; ++i) {
    co_await sleep_for(10ms);
    // Named first: GCC 12 miscompiles co_yield of an aggregate built from temporaries.
    SseEvent tick{.data = "tick " + std::to_string(i), .event = "tick", .id = std::to_string(i)};
    co_yield std::move(tick);
  }
}

}  // namespace

int main() {
  return start({
      .routes =
          {
              router::get("/json", [](Context&) { return json({{"message", "Hello, world!"}}); }),
              router::get("/text", [](Context&) { return text("Hello, world!"); }),
              router::get("/html", [](Context&) { return html("<h1>Hello, world!</h1>"); }),
              router::get("/file", [](Context&) { return file("hello.txt"); }),
              router::get("/redirect", [](Context&) { return redirect("/text"); }),
              router::get("/moved", [](Context&) { return redirect("/json", 301); }),
              router::get("/stream", [](Context&) { return stream(count_to(5)); }),
              router::get("/events", [](Context&) { return sse(ticks(3)); }),
              router::get("/error", [](Context&) { return error(418); }),
              router::get("/error-message",
                          [](Context&) { return error(400, "Name is required"); }),
              router::get("/custom",
                          [](Context&) {
                            return custom_response("a,b\n1,2\n", "text/csv",
                                                   {.status = 201, .headers = {{"X-Rows", "1"}}});
                          }),
              router::get("/cookie",
                          [](Context&) {
                            return text("cookie set").set_cookie(
                                {.name = "theme", .value = "dark", .max_age = 3600,
                                 .http_only = true, .same_site = http::SameSite::lax});
                          }),
              router::get("/slow", [](Context&) -> Task<Response> {
                co_await sleep_for(20ms);
                auto answer = co_await offload([] { return 6 * 7; });  // blocking work elsewhere
                co_return json({{"answer", answer}});
              }),
              router::get("/throw", [](Context&) -> Response {
                throw std::runtime_error("something broke");
              }),
          },
  });
}
