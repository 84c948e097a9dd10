// The compiled application: one normalized path for routing and middleware, route-scoped
// middleware, the matched route (ctx.route()) and its options. Driven through App, and
// through AppCore itself where the question is which path a request takes.
#include "app/app_core.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/parser.hpp"
#include "pulsarcpp/pulsarcpp.hpp"

namespace pulsarcpp {
namespace {

const Headers kToken = {{"Authorization", "Bearer secret"}};

Response created(Context&) {
  return text("created", {.status = 201});
}

Response ok(Context&) {
  return text("ok");
}

// Answers 401 unless the request carries the token.
Task<Response> require_token(Context& ctx, Next next) {
  if (ctx.header("authorization") != "Bearer secret") co_return error(401);
  co_return co_await next();
}

// ---- One normalized path ----

// Every spelling of POST /api/rooms that the router sends to the route.
const std::vector<std::string> kSpellings = {
    "/api/rooms",       "//api/rooms",       "/api//rooms",     "/api/rooms/",
    "///api///rooms//", "/./api/rooms",      "/api/./rooms",    "/x/../api/rooms",
    "/../api/rooms",    "/%2e%2e/api/rooms", "/%2E/api/rooms",  "/api/x/%2e%2e/rooms",
    "/%61pi/rooms",     "/api/%72ooms",      "/api/rooms/./",   "/api/rooms/x/..",
};

TEST(PathNormalizationTest, AGlobalPrefixGuardCannotBeBypassed) {
  App app({.routes = {router::post("/api/rooms", created)},
           .middlewares = {[](Context& ctx, Next next) -> Task<Response> {
             if (ctx.path().starts_with("/api/")) co_return co_await require_token(ctx, next);
             co_return co_await next();
           }}});
  for (const std::string& target : kSpellings) {
    EXPECT_EQ(app.handle({.method = "POST", .target = target}).status, 401) << target;
    EXPECT_EQ(app.handle({.method = "POST", .target = target, .headers = kToken}).status, 201)
        << target;
  }
}

TEST(PathNormalizationTest, AnExactPathGuardCannotBeBypassed) {
  App app({.routes = {router::get("/private", ok)},
           .middlewares = {[](Context& ctx, Next next) -> Task<Response> {
             if (ctx.path() == "/private") co_return co_await require_token(ctx, next);
             co_return co_await next();
           }}});
  for (const char* target : {"/private", "//private", "/private/", "/./private", "/a/../private",
                             "/%70rivate", "/%2e%2e/private"}) {
    EXPECT_EQ(app.handle({.target = target}).status, 401) << target;
  }
}

TEST(PathNormalizationTest, AGroupsMiddlewareCannotBeBypassed) {
  App app({.routes = {{.path = "/api",
                       .routes = {router::post("/rooms", created)},
                       .middlewares = {require_token}}}});
  for (const std::string& target : kSpellings) {
    EXPECT_EQ(app.handle({.method = "POST", .target = target}).status, 401) << target;
  }
}

TEST(PathNormalizationTest, AnEncodedSlashIsPartOfItsSegment) {
  std::vector<std::string> seen;
  App app({.routes = {router::post("/api/rooms", created),
                      router::get("/files/:name",
                                  [](Context& ctx) { return text(std::string(ctx.param("name"))); })},
           .middlewares = {[&seen](Context& ctx, Next next) -> Task<Response> {
             seen.emplace_back(ctx.path());
             if (ctx.path().starts_with("/api/")) co_return co_await require_token(ctx, next);
             co_return co_await next();
           }}});
  // "/api%2Frooms" is one segment: not /api/rooms, so neither the route nor the guard's prefix.
  EXPECT_EQ(app.handle({.method = "POST", .target = "/api%2Frooms"}).status, 404);
  EXPECT_EQ(app.handle({.method = "POST", .target = "/api%2frooms"}).status, 404);
  EXPECT_EQ(app.handle({.target = "/files/a%2F..%2Fb"}).body, "a/../b");
  EXPECT_EQ(seen, (std::vector<std::string>{"/api%2Frooms", "/api%2Frooms", "/files/a%2F..%2Fb"}));
}

TEST(PathNormalizationTest, PathIsNormalTargetIsAsSent) {
  App app({.routes = {router::get("/api/users", [](Context& ctx) {
             return text(std::string(ctx.path()) + " " + std::string(ctx.target()) + " " +
                         std::string(ctx.query_string()));
           })}});
  EXPECT_EQ(app.handle({.target = "//api/./x/../%75sers/?q=1"}).body,
            "/api/users //api/./x/../%75sers/?q=1 q=1");
}

TEST(PathNormalizationTest, MalformedEscapesAre400) {
  App app({.routes = {router::get("/a", ok)}});
  EXPECT_EQ(app.handle({.target = "/a%zz"}).status, 400);
  EXPECT_EQ(app.handle({.target = "/%2"}).status, 400);
}

TEST(PathNormalizationTest, PatternsAreMatchedInNormalForm) {
  App app({.routes = {group("/api/", {router::get("//users/", ok)}), router::get("/%7euser", ok)}});
  EXPECT_EQ(app.handle({.target = "/api/users"}).status, 200);
  EXPECT_EQ(app.handle({.target = "/~user"}).status, 200);
  EXPECT_EQ(app.handle({.target = "/%7Euser"}).status, 200);
}

TEST(PathNormalizationTest, PatternsWithDotSegmentsAreRefused) {
  EXPECT_THROW(App({.routes = {router::get("/a/../b", ok)}}), StartError);
  EXPECT_THROW(App({.routes = {group("/api/.", {router::get("/b", ok)})}}), StartError);
  EXPECT_THROW(App({.routes = {router::get("/a/%2e%2e", ok)}}), StartError);
  EXPECT_THROW(App({.routes = {router::get("/a%zz", ok)}}), StartError);
}

TEST(PathNormalizationTest, PublicFilesSeeTheNormalPath) {
  App app({.routes = {}, .public_dir = "/nonexistent-public-dir"});
  // Above the root is the root: the path stays under /public/ or leaves it, never the folder.
  EXPECT_EQ(app.handle({.target = "/public/../../etc/passwd"}).status, 404);
  EXPECT_EQ(app.handle({.target = "/public/%2e%2e/%2e%2e/etc/passwd"}).status, 404);
  EXPECT_EQ(app.handle({.target = "/public/a%2F..%2F..%2Fetc%2Fpasswd"}).status, 404);
}

// ---- Route-scoped middleware ----

Middleware recorder(std::vector<std::string>& order, std::string name) {
  return [&order, name](Context&, Next next) -> Task<Response> {
    order.push_back(name);
    co_return co_await next();
  };
}

TEST(ScopedMiddlewareTest, RunsAfterTheGlobalOnesOutermostGroupFirst) {
  std::vector<std::string> order;
  auto handler = [&order](Context&) {
    order.emplace_back("handler");
    return text("ok");
  };
  App app({.routes = {{.path = "/a",
                       .routes = {{.path = "/b",
                                   .routes = {router::get("/c", handler).use(recorder(order, "c"))},
                                   .middlewares = {recorder(order, "b")}},
                                  router::get("/d", handler)},
                       .middlewares = {recorder(order, "a1"), recorder(order, "a2")}},
                      router::get("/e", handler)},
           .middlewares = {recorder(order, "global")}});
  const auto run = [&](std::string target) {
    order.clear();
    app.handle({.target = std::move(target)});
    return order;
  };
  using Order = std::vector<std::string>;
  EXPECT_EQ(run("/a/b/c"), (Order{"global", "a1", "a2", "b", "c", "handler"}));
  EXPECT_EQ(run("/a/d"), (Order{"global", "a1", "a2", "handler"}));
  EXPECT_EQ(run("/e"), (Order{"global", "handler"}));
  EXPECT_EQ(run("/a/nothing"), (Order{"global"}));  // no route: only the global ones
  EXPECT_EQ(run("/a/b/c"), (Order{"global", "a1", "a2", "b", "c", "handler"}));  // again
}

TEST(ScopedMiddlewareTest, OnlyTheirRoutesSeeThem) {
  App app({.routes = {{.path = "/private", .routes = {router::get("/", ok)}, .middlewares = {require_token}},
                      router::get("/public", ok)}});
  EXPECT_EQ(app.handle({.target = "/private"}).status, 401);
  EXPECT_EQ(app.handle({.target = "/private", .headers = kToken}).status, 200);
  EXPECT_EQ(app.handle({.target = "/public"}).status, 200);
}

TEST(ScopedMiddlewareTest, OneMiddlewareObjectServesTheWholeGroup) {
  // State captured by a group's middleware is shared by its routes, not copied per route.
  auto count = std::make_shared<int>(0);
  Middleware counter = [count](Context&, Next next) -> Task<Response> {
    ++*count;
    co_return co_await next();
  };
  App app({.routes = {{.path = "/g",
                       .routes = {router::get("/x", ok), router::get("/y", ok)},
                       .middlewares = {counter}}}});
  counter = {};  // the app holds its own
  app.handle({.target = "/g/x"});
  app.handle({.target = "/g/y"});
  EXPECT_EQ(*count, 2);
}

TEST(ScopedMiddlewareTest, RunsForAWebSocketEndpointInTheGroup) {
  const Headers handshake = {{"Upgrade", "websocket"},
                             {"Connection", "Upgrade"},
                             {"Sec-WebSocket-Version", "13"},
                             {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  std::vector<std::string> order;
  Headers with_token = handshake;
  with_token.insert(with_token.end(), kToken.begin(), kToken.end());
  App app({.routes = {{.path = "/rooms",
                       .routes = {router::ws("/live", {.message = [](auto&, Message) {}})},
                       .middlewares = {recorder(order, "group"), require_token}}},
           .middlewares = {recorder(order, "global")}});
  EXPECT_EQ(app.handle({.target = "/rooms/live", .headers = handshake}).status, 401);
  EXPECT_EQ(order, (std::vector<std::string>{"global", "group"}));
  EXPECT_EQ(app.handle({.target = "/rooms/live", .headers = with_token}).status, 101);
  EXPECT_EQ(app.handle({.target = "//rooms/./live/", .headers = handshake}).status, 401);
  EXPECT_EQ(app.handle({.target = "/live", .headers = with_token}).status, 404);
}

TEST(ScopedMiddlewareTest, AnEmptyOneIsAStartError) {
  EXPECT_THROW(App({.routes = {router::get("/", ok).use(Middleware{})}}), StartError);
  EXPECT_THROW(App({.routes = {{.path = "/g", .routes = {router::get("/", ok)}, .middlewares = {{}}}}}),
               StartError);
}

// Which path a request takes: without middleware of any kind a plain handler is called
// directly, never through a coroutine.
TEST(ScopedMiddlewareTest, RoutesWithoutAnyKeepTheSynchronousPath) {
  detail::ServerConfig config{.http = {.routes = {router::get("/plain", ok),
                                                  router::get("/guarded", ok).use(require_token)}},
                              .endpoints = {}};
  detail::AppCore core(config);
  const auto runs_sync = [&core](std::string_view raw) {
    http::RequestHead head;
    EXPECT_EQ(http::parse_request_head(raw, {}, head).status, http::ParseStatus::complete);
    Context ctx;
    core.begin(ctx, head, {}, "127.0.0.1", 1, nullptr);
    return core.can_run_sync(ctx);
  };
  EXPECT_TRUE(runs_sync("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(runs_sync("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(runs_sync("GET /guarded HTTP/1.1\r\nHost: x\r\n\r\n"));
}

// ---- The matched route and its options ----

struct RateLimit {
  int max_requests = 0;
};
struct Tag {
  std::string name;
};

// Answers with what ctx.route() says: "<match> <method> <pattern> <limit> <tag>".
Task<Response> describe_route(Context& ctx, Next) {
  const RouteInfo* route = ctx.route();
  std::string match;
  switch (ctx.route_match()) {
    case RouteMatch::found: match = "found"; break;
    case RouteMatch::not_found: match = "not_found"; break;
    case RouteMatch::method_not_allowed: match = "method_not_allowed"; break;
    case RouteMatch::malformed_path: match = "malformed_path"; break;
  }
  if (!route) co_return text(match);
  const RateLimit* limit = route->get<RateLimit>();
  const Tag* tag = route->get<Tag>();
  co_return text(match + " " + route->method + " " + route->pattern + " " +
                 (limit ? std::to_string(limit->max_requests) : "-") + " " +
                 (tag ? tag->name : "-") + (route->websocket ? " ws" : ""));
}

TEST(RouteInfoTest, MiddlewareSeesTheMatchedRoute) {
  App app({.routes = {router::get("/", ok),
                      group("/api", {router::get("/users/:id", ok), router::all("/files/*", ok)}),
                      router::ws("/live", {.message = [](auto&, Message) {}})},
           .middlewares = {describe_route}});
  EXPECT_EQ(app.handle({.target = "/"}).body, "found GET / - -");
  EXPECT_EQ(app.handle({.target = "/api/users/42"}).body, "found GET /api/users/:id - -");
  EXPECT_EQ(app.handle({.method = "PUT", .target = "/api/files/a/b"}).body,
            "found ALL /api/files/* - -");
  EXPECT_EQ(app.handle({.target = "/live"}).body, "found GET /live - - ws");
  EXPECT_EQ(app.handle({.target = "/nope"}).body, "not_found");
  EXPECT_EQ(app.handle({.method = "POST", .target = "/"}).body, "method_not_allowed");
  EXPECT_EQ(app.handle({.target = "/api/users/%zz"}).body, "malformed_path");
}

TEST(RouteInfoTest, OptionsAreInheritedAndTheInnermostWins) {
  App app({.routes = {Route{.path = "/api",
                            .routes = {router::get("/a", ok),
                                       router::get("/b", ok).with(RateLimit{5}),
                                       group("/v2", {router::get("/c", ok)}).with(Tag{"v2"})}}
                          .with(RateLimit{100})
                          .with(Tag{"api"}),
                      router::get("/free", ok)},
           .middlewares = {describe_route}});
  EXPECT_EQ(app.handle({.target = "/api/a"}).body, "found GET /api/a 100 api");
  EXPECT_EQ(app.handle({.target = "/api/b"}).body, "found GET /api/b 5 api");
  EXPECT_EQ(app.handle({.target = "/api/v2/c"}).body, "found GET /api/v2/c 100 v2");
  EXPECT_EQ(app.handle({.target = "/free"}).body, "found GET /free - -");
}

TEST(RouteInfoTest, HandlersSeeItToo) {
  App app({.routes = {router::get("/users/:id", [](Context& ctx) {
             return text(ctx.route()->pattern);
           }).with(Tag{"users"})}});
  EXPECT_EQ(app.handle({.target = "/users/7"}).body, "/users/:id");
}

TEST(RouteOptionsTest, SetReplacesGetFindsByType) {
  RouteOptions options;
  EXPECT_TRUE(options.empty());
  EXPECT_EQ(options.get<RateLimit>(), nullptr);
  options.set(RateLimit{1});
  options.set(Tag{"t"});
  options.set(RateLimit{2});
  ASSERT_NE(options.get<RateLimit>(), nullptr);
  EXPECT_EQ(options.get<RateLimit>()->max_requests, 2);
  EXPECT_EQ(options.get<Tag>()->name, "t");
  EXPECT_EQ(options.get<int>(), nullptr);
}

}  // namespace
}  // namespace pulsarcpp
