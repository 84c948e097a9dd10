#pragma once
// The topics of one loop thread and the sockets of that loop subscribed to each. Never touched
// by another thread: publishes from elsewhere are posted to the loop first.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ws/published_message.hpp"

namespace pulsarcpp::ws {

/// What a topic delivers to (a WebSocket connection; a fake in tests).
class Subscriber {
 public:
  virtual void deliver(const PublishedMessage& message) = 0;
  /// Where this subscriber sits in the table's list for `topic`, kept by the subscriber for
  /// each topic it is subscribed to (it keeps a list of its topics anyway). The table writes it
  /// on subscribe and when it moves the subscriber, and reads it to unsubscribe in O(1): a
  /// room of ten thousand members would otherwise be scanned on every leave.
  virtual std::size_t& slot_in(std::string_view topic) = 0;

 protected:
  ~Subscriber() = default;
};

class TopicTable {
 public:
  /// Adds `subscriber`, which must not be subscribed to `topic` yet (sockets keep their own list
  /// of topics, so the check costs nothing there and the table stays O(1) per subscribe).
  bool subscribe(std::string_view topic, Subscriber* subscriber);
  /// True when it was subscribed. O(1).
  bool unsubscribe(std::string_view topic, Subscriber* subscriber);
  std::size_t subscriber_count(std::string_view topic) const;
  /// Delivers to every subscriber of `topic` but `skip`. Subscribing and unsubscribing from
  /// within a delivery is safe: a socket that leaves is skipped, one that joins waits for the
  /// next message.
  void publish(std::string_view topic, const PublishedMessage& message, const Subscriber* skip);
  std::size_t topic_count() const noexcept { return topics_.size(); }

 private:
  struct Topic {
    std::vector<Subscriber*> subscribers;  // nullptr marks one that left during a delivery
    std::size_t live = 0;
    int delivering = 0;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  static void place(std::string_view topic, Topic& entry, std::size_t slot, Subscriber* subscriber);
  static void compact(std::string_view topic, Topic& entry);

  std::unordered_map<std::string, Topic, Hash, std::equal_to<>> topics_;
};

}  // namespace pulsarcpp::ws
