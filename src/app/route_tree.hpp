#pragma once
// The router's lookup structure: a trie over path segments, built once at start and then only
// read. Matching never allocates (given a params vector with capacity), never throws and visits
// each node at most once, so a hostile path cannot make it slow.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pulsarcpp/http/method.hpp"

namespace pulsarcpp::detail {

struct RouteParam {
  std::string_view name;       // from the matched route's pattern; "*" for the wildcard
  std::string_view raw_value;  // still percent-encoded: a view into the matched path
};

/// Method slot of router::all; slots 0..kMethodCount-1 are the http::Method values.
inline constexpr std::size_t kAnyMethod = http::kMethodCount;

class RouteTree {
 public:
  RouteTree();

  /// Registers `route_id` for `pattern` under `method_slot`. Returns an empty string on success,
  /// else a message naming the pattern: it must start with '/', a param is ':' followed by
  /// [A-Za-z0-9_]+ and unique within the pattern, '*' is only the whole last segment, the slot is
  /// a real method or kAnyMethod (not Method::other), and no route has the same shape and slot.
  /// On error the tree's routes are unchanged.
  std::string add(std::size_t method_slot, std::string_view pattern, std::uint32_t route_id);

  struct Match {
    enum class Kind { found, not_found, method_not_allowed } kind = Kind::not_found;
    std::uint32_t route_id = 0;
    bool head_fallback = false;  // HEAD answered by a GET route: the server sends no body
    std::string_view allow;      // method_not_allowed: the Allow header value, e.g. "GET, HEAD"
  };

  /// Finds the route for `path` (no query string). Static segments beat params, params beat the
  /// wildcard, and the search backtracks when a branch has no route for `method`. `params` is
  /// cleared, then on `found` filled in pattern order; its views live as long as `path` and the
  /// tree. Call params.reserve(max_params()) once to keep this allocation-free.
  Match match(http::Method method, std::string_view path, std::vector<RouteParam>& params) const;

  /// The most params (wildcard included) any registered pattern has.
  std::size_t max_params() const noexcept { return max_params_; }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  static constexpr std::size_t kSlotCount = http::kMethodCount + 1;

  struct Route {
    std::uint32_t id = 0;
    std::vector<std::string> param_names;  // in pattern order, "*" last for a wildcard
    std::string pattern;                   // as added: a duplicate's message names it
  };
  struct StaticEdge {
    std::string label;
    std::uint32_t child = kNone;
  };
  struct Node {
    std::vector<StaticEdge> statics;  // sorted by label
    std::uint32_t param_child = kNone;
    std::uint32_t wildcard_child = kNone;
    std::array<std::uint32_t, kSlotCount> slots;  // index into routes_, or kNone
    std::uint16_t allow_mask = 0;                 // http::Method bits of the method slots in use
    Node() { slots.fill(kNone); }
  };
  struct Search;

  static std::uint32_t static_child(const Node& node, std::string_view label) noexcept;
  std::uint32_t static_child_or_insert(std::uint32_t parent, std::string_view label);
  std::uint32_t child_or_insert(std::uint32_t parent, std::uint32_t Node::*edge);
  std::string attach(std::uint32_t node, std::size_t method_slot, std::string_view pattern,
                     Route route);
  bool visit(std::uint32_t index, std::size_t pos, Search& search) const;
  bool try_wildcard(const Node& node, std::size_t pos, Search& search) const;
  static bool accept(const Node& node, Search& search) noexcept;

  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::vector<Route> routes_;
  std::size_t max_params_ = 0;
};

}  // namespace pulsarcpp::detail
