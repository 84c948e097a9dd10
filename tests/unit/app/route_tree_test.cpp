#include "app/route_tree.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/url.hpp"

namespace pulsarcpp::detail {
namespace {

using http::Method;
using Kind = RouteTree::Match::Kind;

constexpr std::size_t slot(Method method) {
  return static_cast<std::size_t>(method);
}

class RouteTreeTest : public ::testing::Test {
 protected:
  void add(Method method, std::string_view pattern, std::uint32_t id) {
    ASSERT_EQ(tree.add(slot(method), pattern, id), "") << pattern;
  }
  void add_all(std::string_view pattern, std::uint32_t id) {
    ASSERT_EQ(tree.add(kAnyMethod, pattern, id), "") << pattern;
  }
  RouteTree::Match match(Method method, std::string_view path) {
    return tree.match(method, path, params);
  }
  // The route id found for GET `path`, or -1.
  long long get_id(std::string_view path) {
    const auto result = match(Method::get, path);
    return result.kind == Kind::found ? static_cast<long long>(result.route_id) : -1;
  }
  std::string param(std::string_view name) const {
    for (const auto& p : params) {
      if (p.name == name) return std::string(p.raw_value);
    }
    return "<missing>";
  }

  RouteTree tree;
  std::vector<RouteParam> params;
};

TEST_F(RouteTreeTest, StaticRoutes) {
  add(Method::get, "/", 1);
  add(Method::get, "/users", 2);
  add(Method::get, "/users/list", 3);
  add(Method::get, "/posts", 4);
  EXPECT_EQ(get_id("/"), 1);
  EXPECT_EQ(get_id("/users"), 2);
  EXPECT_EQ(get_id("/users/list"), 3);
  EXPECT_EQ(get_id("/posts"), 4);
  EXPECT_EQ(get_id("/user"), -1);
  EXPECT_EQ(get_id("/users/list/more"), -1);
  EXPECT_EQ(get_id("/Users"), -1);  // case-sensitive, as paths are
  EXPECT_TRUE(params.empty());
}

TEST_F(RouteTreeTest, RootMatchesEmptyAndSlashes) {
  add(Method::get, "/", 7);
  EXPECT_EQ(get_id("/"), 7);
  EXPECT_EQ(get_id(""), 7);
  EXPECT_EQ(get_id("///"), 7);
}

TEST_F(RouteTreeTest, EmptyTreeFindsNothing) {
  EXPECT_EQ(match(Method::get, "/").kind, Kind::not_found);
  EXPECT_EQ(match(Method::get, "").kind, Kind::not_found);
  EXPECT_EQ(tree.max_params(), 0U);
}

TEST_F(RouteTreeTest, TrailingAndDoubleSlashesIgnored) {
  add(Method::get, "/a/b", 1);
  add(Method::get, "//c//d//", 2);  // patterns are normalized the same way
  for (const char* path : {"/a/b", "/a/b/", "//a//b", "/a///b///", "a/b"}) {
    EXPECT_EQ(get_id(path), 1) << path;
  }
  EXPECT_EQ(get_id("/c/d"), 2);
  EXPECT_EQ(tree.add(slot(Method::get), "/a/b/", 3).empty(), false);  // same shape as "/a/b"
}

TEST_F(RouteTreeTest, ParamMatchesOneNonEmptySegment) {
  add(Method::get, "/users/:id", 1);
  EXPECT_EQ(get_id("/users/42"), 1);
  ASSERT_EQ(params.size(), 1U);
  EXPECT_EQ(params[0].name, "id");
  EXPECT_EQ(params[0].raw_value, "42");
  EXPECT_EQ(get_id("/users/42/"), 1);
  EXPECT_EQ(param("id"), "42");
  EXPECT_EQ(get_id("/users"), -1);
  EXPECT_EQ(get_id("/users/"), -1);
  EXPECT_EQ(get_id("/users//"), -1);
  EXPECT_EQ(get_id("/users/42/x"), -1);
  EXPECT_TRUE(params.empty());  // cleared when nothing matched
}

TEST_F(RouteTreeTest, SeveralParamsInPatternOrder) {
  add(Method::get, "/orgs/:org/repos/:repo/issues/:number", 1);
  EXPECT_EQ(get_id("/orgs/acme/repos/rocket/issues/7"), 1);
  ASSERT_EQ(params.size(), 3U);
  EXPECT_EQ(params[0].name, "org");
  EXPECT_EQ(params[0].raw_value, "acme");
  EXPECT_EQ(params[1].name, "repo");
  EXPECT_EQ(params[1].raw_value, "rocket");
  EXPECT_EQ(params[2].name, "number");
  EXPECT_EQ(params[2].raw_value, "7");
  EXPECT_EQ(tree.max_params(), 3U);
}

TEST_F(RouteTreeTest, ParamViewsPointIntoThePath) {
  add(Method::get, "/a/:x/:y", 1);
  const std::string path = "/a/one/two";
  ASSERT_EQ(match(Method::get, path).kind, Kind::found);
  ASSERT_EQ(params.size(), 2U);
  EXPECT_EQ(params[0].raw_value.data(), path.data() + 3);
  EXPECT_EQ(params[1].raw_value.data(), path.data() + 7);
}

TEST_F(RouteTreeTest, ParamRawValuesStayPercentEncoded) {
  add(Method::get, "/files/:name/info", 1);
  EXPECT_EQ(get_id("/files/a%2Fb%20c/info"), 1);  // %2F does not split the segment
  EXPECT_EQ(param("name"), "a%2Fb%20c");
  std::string decoded;
  ASSERT_TRUE(http::percent_decode(params[0].raw_value, decoded, false));
  EXPECT_EQ(decoded, "a/b c");
  EXPECT_EQ(get_id("/files/caf%C3%A9/info"), 1);
  ASSERT_TRUE(http::percent_decode(params[0].raw_value, decoded, false));
  EXPECT_EQ(decoded, "caf\xC3\xA9");
  EXPECT_EQ(get_id("/files/a+b/info"), 1);
  EXPECT_EQ(param("name"), "a+b");
}

TEST_F(RouteTreeTest, WildcardMatchesTheRestIncludingNothing) {
  add(Method::get, "/public/*", 1);
  EXPECT_EQ(get_id("/public/css/site.css"), 1);
  ASSERT_EQ(params.size(), 1U);
  EXPECT_EQ(params[0].name, "*");
  EXPECT_EQ(params[0].raw_value, "css/site.css");
  EXPECT_EQ(get_id("/public/a"), 1);
  EXPECT_EQ(param("*"), "a");
  EXPECT_EQ(get_id("/public/"), 1);
  EXPECT_EQ(param("*"), "");
  EXPECT_EQ(get_id("/public"), 1);
  EXPECT_EQ(param("*"), "");
  EXPECT_EQ(get_id("/public//x//y/"), 1);
  EXPECT_EQ(param("*"), "x//y/");  // verbatim after the leading slashes
  EXPECT_EQ(get_id("/publicity"), -1);
}

TEST_F(RouteTreeTest, RootWildcardCatchesEverything) {
  add(Method::get, "/*", 1);
  EXPECT_EQ(get_id("/"), 1);
  EXPECT_EQ(param("*"), "");
  EXPECT_EQ(get_id("/a/b/c"), 1);
  EXPECT_EQ(param("*"), "a/b/c");
}

TEST_F(RouteTreeTest, ParamsBeforeWildcard) {
  add(Method::get, "/u/:user/files/*", 1);
  EXPECT_EQ(get_id("/u/ann/files/x/y.txt"), 1);
  ASSERT_EQ(params.size(), 2U);
  EXPECT_EQ(params[0].name, "user");
  EXPECT_EQ(params[0].raw_value, "ann");
  EXPECT_EQ(params[1].name, "*");
  EXPECT_EQ(params[1].raw_value, "x/y.txt");
  EXPECT_EQ(tree.max_params(), 2U);
}

TEST_F(RouteTreeTest, StaticBeatsParamBeatsWildcard) {
  add(Method::get, "/items/*", 3);
  add(Method::get, "/items/:id", 2);
  add(Method::get, "/items/new", 1);
  EXPECT_EQ(get_id("/items/new"), 1);
  EXPECT_EQ(get_id("/items/7"), 2);
  EXPECT_EQ(param("id"), "7");
  EXPECT_EQ(get_id("/items/7/8"), 3);
  EXPECT_EQ(param("*"), "7/8");
  EXPECT_EQ(get_id("/items"), 3);
}

TEST_F(RouteTreeTest, BacktracksFromStaticToParam) {
  add(Method::get, "/users/me/profile", 1);
  add(Method::get, "/users/:id/posts", 2);
  EXPECT_EQ(get_id("/users/me/profile"), 1);
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(get_id("/users/me/posts"), 2);
  ASSERT_EQ(params.size(), 1U);
  EXPECT_EQ(param("id"), "me");
  EXPECT_EQ(get_id("/users/me"), -1);
}

TEST_F(RouteTreeTest, BacktracksFromParamToWildcard) {
  add(Method::get, "/a/:x/b", 1);
  add(Method::get, "/a/*", 2);
  EXPECT_EQ(get_id("/a/1/b"), 1);
  EXPECT_EQ(get_id("/a/1/c"), 2);
  ASSERT_EQ(params.size(), 1U);  // the abandoned :x is not left behind
  EXPECT_EQ(params[0].name, "*");
  EXPECT_EQ(params[0].raw_value, "1/c");
}

TEST_F(RouteTreeTest, BacktracksSeveralLevels) {
  add(Method::get, "/x/y/z/w", 1);
  add(Method::get, "/x/:a/:b/v", 2);
  add(Method::get, "/x/y/:c/u", 3);
  add(Method::get, "/*", 4);
  EXPECT_EQ(get_id("/x/y/z/w"), 1);
  EXPECT_EQ(get_id("/x/y/z/u"), 3);
  EXPECT_EQ(param("c"), "z");
  EXPECT_EQ(get_id("/x/y/z/v"), 2);
  EXPECT_EQ(param("a"), "y");
  EXPECT_EQ(param("b"), "z");
  EXPECT_EQ(params.size(), 2U);
  EXPECT_EQ(get_id("/x/y/z/t"), 4);
  EXPECT_EQ(params.size(), 1U);
  EXPECT_EQ(param("*"), "x/y/z/t");
}

TEST_F(RouteTreeTest, ParamNamesArePerRoute) {
  add(Method::get, "/a/:id/x", 1);
  add(Method::get, "/a/:name/y", 2);
  add(Method::post, "/a/:key/x", 3);
  EXPECT_EQ(get_id("/a/1/x"), 1);
  EXPECT_EQ(param("id"), "1");
  EXPECT_EQ(get_id("/a/2/y"), 2);
  EXPECT_EQ(param("name"), "2");
  EXPECT_EQ(match(Method::post, "/a/3/x").route_id, 3U);
  EXPECT_EQ(param("key"), "3");
}

TEST_F(RouteTreeTest, BacktracksToARouteForTheMethod) {
  add(Method::get, "/users/me", 1);
  add(Method::put, "/users/:id", 2);
  const auto result = match(Method::put, "/users/me");
  EXPECT_EQ(result.kind, Kind::found);
  EXPECT_EQ(result.route_id, 2U);
  EXPECT_EQ(param("id"), "me");
}

TEST_F(RouteTreeTest, DuplicateRouteIsAnError) {
  add(Method::get, "/users/:id", 1);
  const std::string error = tree.add(slot(Method::get), "/users/:name", 2);
  EXPECT_NE(error, "");
  EXPECT_NE(error.find("duplicate"), std::string::npos) << error;
  EXPECT_NE(error.find("/users/:name"), std::string::npos) << error;
  EXPECT_NE(error.find("same shape as \"/users/:id\""), std::string::npos) << error;
  EXPECT_EQ(get_id("/users/5"), 1);  // the first route stays
  EXPECT_EQ(param("id"), "5");
  EXPECT_NE(tree.add(slot(Method::get), "//users//:other/", 3), "");
  EXPECT_EQ(tree.add(slot(Method::post), "/users/:id", 4), "");  // another method is fine
  EXPECT_EQ(tree.add(kAnyMethod, "/users/:id", 5), "");
  EXPECT_NE(tree.add(kAnyMethod, "/users/:x", 6), "");
  add(Method::get, "/w/*", 7);
  EXPECT_NE(tree.add(slot(Method::get), "/w/*", 8), "");
}

TEST_F(RouteTreeTest, BadPatternsAreErrors) {
  struct Case {
    const char* pattern;
    const char* expect_in_message;
  };
  const Case cases[] = {
      {"", "start with '/'"},
      {"users", "start with '/'"},
      {"users/:id", "start with '/'"},
      {"/users/:", "empty parameter name"},
      {"/:/x", "empty parameter name"},
      {"/users/:id-x", "parameter names"},
      {"/users/:id.json", "parameter names"},
      {"/users/:é", "parameter names"},
      {"/users/::id", "parameter names"},
      {"/a/*/b", "last segment"},
      {"/a/*/*", "last segment"},
      {"/a/*x", "whole segment"},
      {"/a/x*", "whole segment"},
      {"/a/:id*", "whole segment"},
      {"/*.js", "whole segment"},
      {"/a/:id/b/:id", "appears twice"},
      {"/:x/:x", "appears twice"},
      // Other frameworks' parameters, answered with this router's form.
      {"/users/{id}", "written \":id\", as in \"/users/:id\""},
      {"/users/{id:int}/posts", "as in \"/users/:id/posts\""},
      {"/users/<id>", "as in \"/users/:id\""},
      {"/users/<int:id>", "as in \"/users/:id\""},
      {"/users/id:", "as in \"/users/:id\""},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_NO_THROW(error = tree.add(slot(Method::get), c.pattern, 1));
    EXPECT_NE(error.find(c.expect_in_message), std::string::npos) << c.pattern << " -> " << error;
  }
  // A failed add leaves nothing behind.
  EXPECT_EQ(match(Method::get, "/users/x").kind, Kind::not_found);
  EXPECT_EQ(match(Method::get, "/a/x/b").kind, Kind::not_found);
  EXPECT_EQ(tree.max_params(), 0U);
}

TEST_F(RouteTreeTest, BadMethodSlotsAreErrors) {
  EXPECT_NE(tree.add(slot(Method::other), "/x", 1), "");
  EXPECT_NE(tree.add(kAnyMethod + 1, "/x", 1), "");
  EXPECT_NE(tree.add(1000, "/x", 1), "");
}

TEST_F(RouteTreeTest, ParamNamesMayBeDigitsAndUnderscores) {
  add(Method::get, "/v/:_a1/:B_2/:3", 1);
  EXPECT_EQ(get_id("/v/x/y/z"), 1);
  EXPECT_EQ(param("_a1"), "x");
  EXPECT_EQ(param("B_2"), "y");
  EXPECT_EQ(param("3"), "z");
}

TEST_F(RouteTreeTest, ColonInsideAStaticSegmentIsLiteral) {
  add(Method::get, "/a:b", 1);
  EXPECT_EQ(get_id("/a:b"), 1);
  EXPECT_EQ(get_id("/ab"), -1);
}

TEST_F(RouteTreeTest, HeadFallsBackToGet) {
  add(Method::get, "/page", 1);
  const auto result = match(Method::head, "/page");
  EXPECT_EQ(result.kind, Kind::found);
  EXPECT_EQ(result.route_id, 1U);
  EXPECT_TRUE(result.head_fallback);
  EXPECT_FALSE(match(Method::get, "/page").head_fallback);
}

TEST_F(RouteTreeTest, ExplicitHeadBeatsGet) {
  add(Method::get, "/page", 1);
  add(Method::head, "/page", 2);
  const auto result = match(Method::head, "/page");
  EXPECT_EQ(result.route_id, 2U);
  EXPECT_FALSE(result.head_fallback);
}

TEST_F(RouteTreeTest, HeadPrefersGetOverAll) {
  add(Method::get, "/page", 1);
  add_all("/page", 2);
  const auto result = match(Method::head, "/page");
  EXPECT_EQ(result.route_id, 1U);
  EXPECT_TRUE(result.head_fallback);
  EXPECT_EQ(match(Method::post, "/page").route_id, 2U);
}

TEST_F(RouteTreeTest, AllMatchesEveryMethod) {
  add_all("/any/:x", 9);
  for (std::size_t m = 0; m < http::kMethodCount; ++m) {
    const auto result = match(static_cast<Method>(m), "/any/1");
    EXPECT_EQ(result.kind, Kind::found) << m;
    EXPECT_EQ(result.route_id, 9U);
    EXPECT_FALSE(result.head_fallback);
    EXPECT_EQ(param("x"), "1");
  }
}

TEST_F(RouteTreeTest, ExactMethodBeatsAll) {
  add_all("/r", 1);
  add(Method::post, "/r", 2);
  EXPECT_EQ(match(Method::post, "/r").route_id, 2U);
  EXPECT_EQ(match(Method::get, "/r").route_id, 1U);
  EXPECT_EQ(match(Method::del, "/r").route_id, 1U);
}

TEST_F(RouteTreeTest, OtherMethodOnlyMatchesAll) {
  add(Method::get, "/g", 1);
  add(Method::post, "/g", 2);
  add_all("/a", 3);
  const auto missing = match(Method::other, "/g");
  EXPECT_EQ(missing.kind, Kind::method_not_allowed);
  EXPECT_EQ(missing.allow, "GET, HEAD, POST");
  const auto found = match(Method::other, "/a");
  EXPECT_EQ(found.kind, Kind::found);
  EXPECT_EQ(found.route_id, 3U);
  EXPECT_EQ(match(Method::other, "/nothing").kind, Kind::not_found);
}

TEST_F(RouteTreeTest, MethodNotAllowedListsTheNodesMethods) {
  add(Method::get, "/res", 1);
  add(Method::post, "/res", 2);
  add(Method::del, "/res", 3);
  add(Method::patch, "/only-patch", 4);
  auto result = match(Method::put, "/res");
  EXPECT_EQ(result.kind, Kind::method_not_allowed);
  EXPECT_EQ(result.allow, "GET, HEAD, POST, DELETE");
  EXPECT_TRUE(params.empty());
  result = match(Method::head, "/only-patch");
  EXPECT_EQ(result.kind, Kind::method_not_allowed);
  EXPECT_EQ(result.allow, "PATCH");
  EXPECT_EQ(match(Method::get, "/nope").kind, Kind::not_found);
  EXPECT_TRUE(match(Method::get, "/nope").allow.empty());
}

TEST_F(RouteTreeTest, AllowListsEveryKnownMethodInOrder) {
  const Method methods[] = {Method::patch, Method::trace, Method::options, Method::connect,
                            Method::del,   Method::put,   Method::post,    Method::head};
  for (std::uint32_t i = 0; i < std::size(methods); ++i) add(methods[i], "/m", i);
  const auto result = match(Method::get, "/m");
  EXPECT_EQ(result.kind, Kind::method_not_allowed);
  EXPECT_EQ(result.allow, "HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH");
}

TEST_F(RouteTreeTest, AllowIsTheUnionOverMatchingBranches) {
  // GET reaches the static route, PUT reaches the param route: both answer /users/me.
  add(Method::get, "/users/me", 1);
  add(Method::put, "/users/:id", 2);
  add(Method::del, "/users/*", 3);
  const auto result = match(Method::post, "/users/me");
  EXPECT_EQ(result.kind, Kind::method_not_allowed);
  EXPECT_EQ(result.allow, "GET, HEAD, PUT, DELETE");
  EXPECT_EQ(match(Method::post, "/users/other").allow, "PUT, DELETE");
}

TEST_F(RouteTreeTest, IntermediateNodesWithoutRoutesAreNotFound) {
  add(Method::get, "/a/b/c", 1);
  EXPECT_EQ(match(Method::post, "/a/b").kind, Kind::not_found);
  EXPECT_EQ(match(Method::post, "/a/b/c").kind, Kind::method_not_allowed);
}

TEST_F(RouteTreeTest, ManyRoutesWithSharedPrefixes) {
  std::vector<std::string> patterns;
  for (int api = 1; api <= 3; ++api) {
    const std::string base = "/api/v" + std::to_string(api);
    for (const char* resource : {"users", "posts", "comments", "tags", "teams", "tickets"}) {
      patterns.push_back(base + "/" + resource);
      patterns.push_back(base + "/" + resource + "/:id");
      patterns.push_back(base + "/" + resource + "/:id/history");
      patterns.push_back(base + "/" + resource + "/search");
    }
  }
  patterns.push_back("/api/*");
  patterns.push_back("/t");
  patterns.push_back("/te");
  patterns.push_back("/tea");
  patterns.push_back("/team");
  patterns.push_back("/teams");
  ASSERT_GE(patterns.size(), 50U);
  for (std::uint32_t i = 0; i < patterns.size(); ++i) add(Method::get, patterns[i], i);

  params.reserve(tree.max_params());
  for (std::uint32_t i = 0; i < patterns.size(); ++i) {
    std::string path = patterns[i];
    for (std::size_t at; (at = path.find(":id")) != std::string::npos;) path.replace(at, 3, "42");
    if (path.back() == '*') path.replace(path.size() - 1, 1, "some/deep/path");
    EXPECT_EQ(get_id(path), i) << path;
  }
  EXPECT_EQ(get_id("/api/v2/teams/search"), get_id("/api/v2/teams/search/"));
  EXPECT_EQ(param("id"), "<missing>");                               // search is static, not :id
  const long long history = get_id("/api/v2/teams/search/history");  // backtracks to :id
  ASSERT_GE(history, 0);
  EXPECT_EQ(patterns[static_cast<std::size_t>(history)], "/api/v2/teams/:id/history");
  EXPECT_EQ(param("id"), "search");
  const long long fallback = get_id("/api/v4/users");
  EXPECT_EQ(patterns[static_cast<std::size_t>(fallback)], "/api/*");
  EXPECT_EQ(param("*"), "v4/users");
  EXPECT_EQ(get_id("/teamz"), -1);
  EXPECT_EQ(get_id("/tea/"), get_id("/tea"));
}

TEST_F(RouteTreeTest, MatchReusesParamsCapacity) {
  add(Method::get, "/a/:x/:y/*", 1);
  params.reserve(tree.max_params());
  const RouteParam* storage = params.data();
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(match(Method::get, "/a/1/2/3/4").kind, Kind::found);
    EXPECT_EQ(params.data(), storage);
    EXPECT_EQ(match(Method::get, "/b").kind, Kind::not_found);
  }
}

TEST_F(RouteTreeTest, LongAndHostilePathsAreHandled) {
  add(Method::get, "/:a/:b", 1);
  add(Method::get, "/x/*", 2);
  const std::string slashes(100000, '/');
  EXPECT_EQ(get_id(slashes), -1);
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "/x";
  EXPECT_EQ(get_id(deep), 2);
  EXPECT_EQ(param("*").size(), deep.size() - 3);
  const std::string nul_path("/a\0b/c", 6);
  EXPECT_EQ(get_id(nul_path), 1);
  EXPECT_EQ(param("a"), std::string("a\0b", 3));
}

}  // namespace
}  // namespace pulsarcpp::detail
