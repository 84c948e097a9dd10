// Pulsar's "Middleware" page in C++: a logger, a timing header added after the route ran, an
// API-key check that answers without calling next, and a value handed to the route.
#include <pulsarcpp/pulsarcpp.hpp>

#include <chrono>

using namespace pulsarcpp;

namespace {

struct User {
  std::string name;
};

Task<Response> response_time(Context&, Next next) {
  auto started = std::chrono::steady_clock::now();
  Response response = co_await next();
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  response.set_header("X-Response-Time", std::to_string(took.count()) + "us");
  co_return response;
}

Task<Response> require_api_key(Context& ctx, Next next) {
  std::string_view path = ctx.path();
  if (path == "/private" || path.starts_with("/private/")) {
    if (ctx.header("x-api-key") != "secret") co_return error(401);
    ctx.set(User{.name = "Ada"});
  }
  co_return co_await next();
}

}  // namespace

int main() {
  return start({
      .routes =
          {
              router::get("/", [](Context&) { return text("public"); }),
              router::get("/private",
                          [](Context& ctx) {
                            // Set by require_api_key; a handler never assumes a middleware ran.
                            const User* user = ctx.get<User>();
                            if (!user) return error(401);
                            return json({{"user", user->name}});
                          }),
          },
      .middlewares = {logger(), response_time, require_api_key},
  });
}
