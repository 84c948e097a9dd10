#include "app/route_tree.hpp"

#include <algorithm>
#include <cassert>
#include <optional>
#include <utility>

namespace pulsarcpp::detail {
namespace {

using http::Method;

// Paths and patterns share one segment rule, so "//a/b/" and "/a/b" are the same route.
std::size_t skip_slashes(std::string_view path, std::size_t pos) noexcept {
  while (pos < path.size() && path[pos] == '/') ++pos;
  return pos;
}

std::size_t segment_end(std::string_view path, std::size_t pos) noexcept {
  const std::size_t slash = path.find('/', pos);
  return slash == std::string_view::npos ? path.size() : slash;
}

enum class SegmentKind { literal, param, wildcard };

struct PatternSegment {
  SegmentKind kind = SegmentKind::literal;
  std::string_view text;  // the literal, or the param name without ':'
};

std::string pattern_error(std::string_view pattern, std::string_view why) {
  std::string message = "invalid route pattern \"";
  message.append(pattern).append("\": ").append(why);
  return message;
}

bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool seen_param(const std::vector<PatternSegment>& segments, std::string_view name) noexcept {
  return std::any_of(segments.begin(), segments.end(), [name](const PatternSegment& segment) {
    return segment.kind == SegmentKind::param && segment.text == name;
  });
}

// The parameter name when `text` is a parameter in another framework's syntax: "{id}" (Spring,
// ASP.NET, OpenAPI; "{id:int}"), "<id>" (Flask; "<int:id>") or "id:" (":id" written backwards).
std::optional<std::string_view> foreign_param(std::string_view text) noexcept {
  const auto wrapped = [&](char open, char close) {
    return text.size() > 2 && text.front() == open && text.back() == close;
  };
  if (wrapped('{', '}')) {
    const std::string_view inner = text.substr(1, text.size() - 2);
    return inner.substr(0, inner.find(':'));
  }
  if (wrapped('<', '>')) {
    const std::string_view inner = text.substr(1, text.size() - 2);
    const std::size_t colon = inner.rfind(':');
    return colon == std::string_view::npos ? inner : inner.substr(colon + 1);
  }
  if (text.size() > 1 && text.back() == ':' && text.front() != ':') {
    return text.substr(0, text.size() - 1);
  }
  return std::nullopt;
}

// The message for a parameter in foreign syntax, with the pattern as it should read.
std::string foreign_param_error(std::string_view pattern, std::string_view text,
                                std::string_view name) {
  const auto at = static_cast<std::size_t>(text.data() - pattern.data());
  std::string why = "parameters are written \":";
  why.append(name).append("\", as in \"");
  why.append(pattern.substr(0, at)).append(":").append(name).append(pattern.substr(at + text.size()));
  why.append("\"");
  return pattern_error(pattern, why);
}

// Returns an error, or appends the segment's parsed form to `out`.
std::string classify_segment(std::string_view pattern, std::string_view text,
                             std::vector<PatternSegment>& out) {
  if (!out.empty() && out.back().kind == SegmentKind::wildcard) {
    return pattern_error(pattern, "'*' must be the last segment");
  }
  if (text == "*") {
    out.push_back({SegmentKind::wildcard, text});
    return {};
  }
  if (text.find('*') != std::string_view::npos) {
    return pattern_error(pattern, "'*' must be a whole segment");
  }
  if (text.front() != ':') {
    if (const auto name = foreign_param(text)) return foreign_param_error(pattern, text, *name);
    out.push_back({SegmentKind::literal, text});
    return {};
  }
  const std::string_view name = text.substr(1);
  if (name.empty()) return pattern_error(pattern, "empty parameter name after ':'");
  if (!std::all_of(name.begin(), name.end(), is_name_char)) {
    return pattern_error(pattern, "parameter names may use only A-Z, a-z, 0-9 and '_'");
  }
  if (seen_param(out, name)) {
    return pattern_error(pattern, "parameter ':" + std::string(name) + "' appears twice");
  }
  out.push_back({SegmentKind::param, name});
  return {};
}

std::string parse_pattern(std::string_view pattern, std::vector<PatternSegment>& out) {
  if (pattern.empty() || pattern.front() != '/')
    return pattern_error(pattern, "must start with '/'");
  for (std::size_t pos = skip_slashes(pattern, 0); pos < pattern.size();
       pos = skip_slashes(pattern, pos)) {
    const std::size_t end = segment_end(pattern, pos);
    if (auto error = classify_segment(pattern, pattern.substr(pos, end - pos), out);
        !error.empty()) {
      return error;
    }
    pos = end;
  }
  return {};
}

std::string_view slot_name(std::size_t slot) noexcept {
  return slot == kAnyMethod ? std::string_view("ALL") : http::to_string(static_cast<Method>(slot));
}

std::uint16_t method_bit(Method method) noexcept {
  return static_cast<std::uint16_t>(1U << static_cast<unsigned>(method));
}

// Method::other never has a slot of its own, so it never appears in an Allow value.
static_assert(static_cast<std::size_t>(Method::other) + 1 == http::kMethodCount);
constexpr std::size_t kAllowTableSize = std::size_t{1} << static_cast<unsigned>(Method::other);

// A 405 names every method the path could reach, the union over all nodes it matched, so the
// value depends on the path and cannot live in a node. Built once; read-only afterwards.
std::string_view allow_value(std::uint16_t mask) {
  static const std::array<std::string, kAllowTableSize> table = [] {
    std::array<std::string, kAllowTableSize> values;
    for (std::size_t mask = 0; mask < kAllowTableSize; ++mask) {
      for (std::size_t method = 0; method < static_cast<std::size_t>(Method::other); ++method) {
        if ((mask & (std::size_t{1} << method)) == 0) continue;
        if (!values[mask].empty()) values[mask] += ", ";
        values[mask] += http::to_string(static_cast<Method>(method));
      }
    }
    return values;
  }();
  return table[mask % kAllowTableSize];
}

}  // namespace

struct RouteTree::Search {
  Method method;
  std::string_view path;
  std::vector<RouteParam>& params;
  std::uint32_t route = kNone;
  bool head_fallback = false;
  std::uint16_t allow_mask = 0;  // methods of the nodes that matched the path but not the method
};

RouteTree::RouteTree() : nodes_(1) {}

std::string RouteTree::add(std::size_t method_slot, std::string_view pattern,
                           std::uint32_t route_id) {
  if (method_slot > kAnyMethod || method_slot == static_cast<std::size_t>(Method::other)) {
    return pattern_error(pattern, "method slot must be a known method or ALL");
  }
  std::vector<PatternSegment> segments;
  if (auto error = parse_pattern(pattern, segments); !error.empty()) return error;

  std::uint32_t node = 0;
  Route route{route_id, {}, std::string(pattern)};
  for (const PatternSegment& segment : segments) {
    switch (segment.kind) {
      case SegmentKind::literal:
        node = static_child_or_insert(node, segment.text);
        break;
      case SegmentKind::param:
        node = child_or_insert(node, &Node::param_child);
        route.param_names.emplace_back(segment.text);
        break;
      case SegmentKind::wildcard:
        node = child_or_insert(node, &Node::wildcard_child);
        route.param_names.emplace_back("*");
        break;
    }
  }
  return attach(node, method_slot, pattern, std::move(route));
}

std::string RouteTree::attach(std::uint32_t node, std::size_t method_slot, std::string_view pattern,
                              Route route) {
  Node& target = nodes_[node];
  if (target.slots[method_slot] != kNone) {
    std::string why = "duplicate ";
    why.append(slot_name(method_slot)).append(" route: the same shape as \"");
    why.append(routes_[target.slots[method_slot]].pattern).append("\"");
    return pattern_error(pattern, why);
  }
  max_params_ = std::max(max_params_, route.param_names.size());
  target.slots[method_slot] = static_cast<std::uint32_t>(routes_.size());
  routes_.push_back(std::move(route));
  if (method_slot < kAnyMethod) {
    target.allow_mask |= method_bit(static_cast<Method>(method_slot));
    // A GET route answers HEAD too, so a 405 must say so.
    if (method_slot == static_cast<std::size_t>(Method::get)) {
      target.allow_mask |= method_bit(Method::head);
    }
  }
  return {};
}

std::uint32_t RouteTree::static_child(const Node& node, std::string_view label) noexcept {
  const auto it = std::lower_bound(
      node.statics.begin(), node.statics.end(), label,
      [](const StaticEdge& edge, std::string_view value) { return edge.label < value; });
  return it != node.statics.end() && it->label == label ? it->child : kNone;
}

std::uint32_t RouteTree::static_child_or_insert(std::uint32_t parent, std::string_view label) {
  if (const std::uint32_t child = static_child(nodes_[parent], label); child != kNone) {
    return child;
  }
  const auto child = static_cast<std::uint32_t>(nodes_.size());
  nodes_.emplace_back();  // invalidates references into nodes_, so look the parent up again
  auto& statics = nodes_[parent].statics;
  const auto it = std::lower_bound(
      statics.begin(), statics.end(), label,
      [](const StaticEdge& edge, std::string_view value) { return edge.label < value; });
  statics.insert(it, StaticEdge{std::string(label), child});
  return child;
}

std::uint32_t RouteTree::child_or_insert(std::uint32_t parent, std::uint32_t Node::*edge) {
  if (nodes_[parent].*edge == kNone) {
    const auto child = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
    nodes_[parent].*edge = child;
  }
  return nodes_[parent].*edge;
}

RouteTree::Match RouteTree::match(Method method, std::string_view path,
                                  std::vector<RouteParam>& params) const {
  params.clear();
  params.reserve(max_params_);  // the search pushes at most this many, so it never reallocates
  Search search{method, path, params};
  Match result;
  if (visit(0, 0, search)) {
    const Route& route = routes_[search.route];
    // Every route ending at one node went through the same param and wildcard edges.
    assert(route.param_names.size() == params.size());
    for (std::size_t i = 0; i < params.size(); ++i) params[i].name = route.param_names[i];
    result.kind = Match::Kind::found;
    result.route_id = route.id;
    result.head_fallback = search.head_fallback;
  } else if (search.allow_mask != 0) {
    result.kind = Match::Kind::method_not_allowed;
    result.allow = allow_value(search.allow_mask);
  }
  return result;
}

// Each node sits at a fixed depth and is entered only from its parent, so a whole search visits
// every node at most once however much it backtracks.
bool RouteTree::visit(std::uint32_t index, std::size_t pos, Search& search) const {
  const Node& node = nodes_[index];
  pos = skip_slashes(search.path, pos);
  if (pos == search.path.size()) return accept(node, search) || try_wildcard(node, pos, search);

  const std::size_t end = segment_end(search.path, pos);
  const std::string_view segment = search.path.substr(pos, end - pos);
  if (const std::uint32_t child = static_child(node, segment);
      child != kNone && visit(child, end, search)) {
    return true;
  }
  if (node.param_child != kNone) {
    search.params.push_back({{}, segment});
    if (visit(node.param_child, end, search)) return true;
    search.params.pop_back();
  }
  return try_wildcard(node, pos, search);
}

bool RouteTree::try_wildcard(const Node& node, std::size_t pos, Search& search) const {
  if (node.wildcard_child == kNone) return false;
  search.params.push_back({{}, search.path.substr(pos)});
  if (accept(nodes_[node.wildcard_child], search)) return true;
  search.params.pop_back();
  return false;
}

// Exact method, then HEAD served by GET, then router::all.
bool RouteTree::accept(const Node& node, Search& search) noexcept {
  std::uint32_t route = kNone;
  bool head_fallback = false;
  const auto slot = static_cast<std::size_t>(search.method);
  if (slot < static_cast<std::size_t>(Method::other)) route = node.slots[slot];
  if (route == kNone && search.method == Method::head) {
    route = node.slots[static_cast<std::size_t>(Method::get)];
    head_fallback = route != kNone;
  }
  if (route == kNone) route = node.slots[kAnyMethod];
  if (route == kNone) {
    search.allow_mask |= node.allow_mask;
    return false;
  }
  search.route = route;
  search.head_fallback = head_fallback;
  return true;
}

}  // namespace pulsarcpp::detail
