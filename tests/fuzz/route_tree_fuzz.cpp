// Matches arbitrary bytes as a path against a fixed route tree with every method, and runs the URL
// decoders on them. Checks what callers rely on: param views point into the path, found ids are
// real routes, param names come from the pattern, and 405 always carries an Allow value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "app/route_tree.hpp"
#include "http/url.hpp"

namespace {

using pulsarcpp::detail::kAnyMethod;
using pulsarcpp::detail::RouteParam;
using pulsarcpp::detail::RouteTree;
using pulsarcpp::http::Method;

struct FuzzRoute {
  std::size_t slot;
  const char* pattern;
};

constexpr std::size_t slot(Method method) {
  return static_cast<std::size_t>(method);
}

const FuzzRoute kRoutes[] = {
    {slot(Method::get), "/"},
    {slot(Method::get), "/users"},
    {slot(Method::post), "/users"},
    {slot(Method::get), "/users/me"},
    {slot(Method::get), "/users/me/profile"},
    {slot(Method::get), "/users/:id"},
    {slot(Method::put), "/users/:id"},
    {slot(Method::del), "/users/:user"},
    {slot(Method::get), "/users/:id/posts"},
    {slot(Method::get), "/users/:id/posts/:post"},
    {slot(Method::get), "/public/*"},
    {slot(Method::head), "/public/*"},
    {kAnyMethod, "/any/:x/*"},
    {slot(Method::patch), "/a/:b/c/:d"},
    {slot(Method::get), "/a/b/c"},
    {slot(Method::options), "/*"},
    {slot(Method::get), "/%41/:e"},
    {slot(Method::trace), "/x:y/z"},
    {slot(Method::connect), "/api/v1/items/:id/history"},
    {slot(Method::get), "/api/v1/items/search"},
    {kAnyMethod, "/api/v2/*"},
};
constexpr std::size_t kRouteCount = std::size(kRoutes);

const RouteTree& fixed_tree() {
  static const RouteTree built = [] {
    RouteTree t;
    for (std::uint32_t id = 0; id < kRouteCount; ++id) {
      if (!t.add(kRoutes[id].slot, kRoutes[id].pattern, id).empty()) std::abort();
    }
    return t;
  }();
  return built;
}

bool inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool names_from_pattern(std::string_view pattern, const std::vector<RouteParam>& params) {
  for (const RouteParam& param : params) {
    const std::string needle = param.name == "*" ? "/*" : ":" + std::string(param.name);
    if (pattern.find(needle) == std::string_view::npos) return false;
  }
  return true;
}

void check_match(Method method, std::string_view path, std::vector<RouteParam>& params) {
  const RouteTree::Match result = fixed_tree().match(method, path, params);
  using Kind = RouteTree::Match::Kind;
  if (result.kind != Kind::found && !params.empty()) std::abort();
  if (result.kind == Kind::method_not_allowed && result.allow.empty()) std::abort();
  if (result.kind != Kind::found) return;
  if (result.route_id >= kRouteCount) std::abort();
  if (result.head_fallback && method != Method::head) std::abort();
  if (!names_from_pattern(kRoutes[result.route_id].pattern, params)) std::abort();
  for (const RouteParam& param : params) {
    if (!inside(param.raw_value, path)) std::abort();
    if (param.name != "*" &&
        (param.raw_value.empty() || param.raw_value.find('/') != std::string_view::npos)) {
      std::abort();
    }
  }
}

void check_decoders(std::string_view input) {
  std::string out;
  if (!pulsarcpp::http::percent_decode(input, out, true) && out != input) std::abort();
  if (out.size() > input.size()) std::abort();
  const std::string encoded = pulsarcpp::http::percent_encode_component(input);
  if (!pulsarcpp::http::percent_decode(encoded, out, false) || out != input) std::abort();
  const auto pairs = pulsarcpp::http::parse_query(input);
  if (!pairs.empty()) {
    const auto first = pulsarcpp::http::query_param(input, pairs.front().first);
    if (!first || *first != pairs.front().second) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static std::vector<RouteParam> params;
  for (std::size_t m = 0; m < pulsarcpp::http::kMethodCount; ++m) {
    check_match(static_cast<Method>(m), input, params);
  }
  check_decoders(input);
  return 0;
}
