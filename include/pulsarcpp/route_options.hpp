#pragma once
// RouteOptions: typed values that libraries attach to a route or group and read back from the
// matched route (ctx.route()), one per type, so a plugin needs no change to the router:
//   router::post("/rooms", create).with(RateLimit{.max_requests = 5})
//   if (const RateLimit* limit = ctx.route()->get<RateLimit>()) ...

#include <memory>
#include <typeindex>
#include <typeinfo>
#include <utility>
#include <vector>

namespace pulsarcpp {

class RouteOptions {
 public:
  /// Stores `value`, replacing an earlier one of the same type.
  template <class T>
  void set(T value) {
    auto stored = std::make_shared<const T>(std::move(value));
    for (auto& [type, existing] : values_) {
      if (type == typeid(T)) {
        existing = std::move(stored);
        return;
      }
    }
    values_.emplace_back(typeid(T), std::move(stored));
  }

  /// The value of type T, or nullptr. Where a group and its route both set one, the innermost
  /// (the route's own) is found.
  template <class T>
  const T* get() const noexcept {
    for (auto it = values_.rbegin(); it != values_.rend(); ++it) {
      if (it->first == typeid(T)) return static_cast<const T*>(it->second.get());
    }
    return nullptr;
  }

  bool empty() const noexcept { return values_.empty(); }

  /// `inner`'s values on top of these: what a route inside a group carries.
  void inherit_into(RouteOptions& inner) const {
    std::vector<Entry> merged = values_;
    merged.insert(merged.end(), inner.values_.begin(), inner.values_.end());
    inner.values_ = std::move(merged);
  }

 private:
  // Shared, not copied: a route is copied as the route list is built, and a value holding
  // state (a limiter's counters) must stay one object.
  using Entry = std::pair<std::type_index, std::shared_ptr<const void>>;
  std::vector<Entry> values_;
};

}  // namespace pulsarcpp
