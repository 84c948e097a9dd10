// Pulsar's "Routing" page in C++: every verb, path parameters, a wildcard, nested groups and
// query parameters.
#include <pulsarcpp/pulsarcpp.hpp>

#include <charconv>

using namespace pulsarcpp;

namespace {

Response echo_method(Context& ctx) {
  return json({{"method", ctx.method_name()}, {"path", ctx.path()}});
}

std::vector<Route> user_routes() {
  return {
      router::get("/", [](Context& ctx) {
        // GET /api/users?limit=2 -> the first two users; a limit that is no number is the
        // client's mistake (400), not a server error (500, which std::stoi's throw would give).
        std::string text = ctx.query("limit").value_or("10");
        int limit = -1;
        auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (failure != std::errc() || end != text.data() + text.size() || limit < 0) {
          return error(400, "limit must be a non-negative integer");
        }
        nlohmann::json users = nlohmann::json::array();
        for (int id = 1; id <= std::min(limit, 3); ++id) users.push_back({{"id", id}});
        return json(users);
      }),
      router::get("/:id", [](Context& ctx) { return json({{"id", ctx.param("id")}}); }),
      router::post("/", [](Context& ctx) {
        const auto& user = ctx.json();  // 400 when the body is not JSON
        return json({{"created", user}}, {.status = 201});
      }),
      router::put("/:id", echo_method),
      router::patch("/:id", echo_method),
      router::del("/:id", [](Context&) { return Response(204); }),
      router::get("/:id/posts/:post", [](Context& ctx) {
        return json({{"user", ctx.param("id")}, {"post", ctx.param("post")}});
      }),
  };
}

}  // namespace

int main() {
  return start({
      .routes =
          {
              router::get("/", [](Context&) { return text("Routing example"); }),
              {.path = "/api",
               .routes = {{.path = "/users", .routes = user_routes()},
                          {.path = "/v2", .routes = {{.path = "/users", .routes = user_routes()}}}}},
              router::get("/files/*", [](Context& ctx) { return text(std::string(ctx.param("*"))); }),
              router::options("/api/users", [](Context&) {
                return Response(204).set_header("Allow", "GET, POST, OPTIONS");
              }),
              router::all("/any", echo_method),
          },
  });
}
