#include "ws/topic_table.hpp"

#include <algorithm>

namespace pulsarcpp::ws {

bool TopicTable::subscribe(std::string_view topic, Subscriber* subscriber) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) it = topics_.emplace(std::string(topic), Topic{}).first;
  it->second.subscribers.push_back(subscriber);
  ++it->second.live;
  return true;
}

bool TopicTable::unsubscribe(std::string_view topic, Subscriber* subscriber) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return false;
  Topic& entry = it->second;
  auto found = std::find(entry.subscribers.begin(), entry.subscribers.end(), subscriber);
  if (found == entry.subscribers.end()) return false;
  --entry.live;
  if (entry.delivering > 0) {
    *found = nullptr;  // the delivery loop is indexing this vector: leave a hole
    return true;
  }
  // Order among subscribers carries no meaning, so swap-remove.
  *found = entry.subscribers.back();
  entry.subscribers.pop_back();
  if (entry.live == 0) topics_.erase(it);
  return true;
}

std::size_t TopicTable::subscriber_count(std::string_view topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.live;
}

void TopicTable::publish(std::string_view topic, const PublishedMessage& message,
                         const Subscriber* skip) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  Topic& entry = it->second;
  ++entry.delivering;
  // Subscribers added during the delivery land past `end` and wait for the next message.
  const std::size_t end = entry.subscribers.size();
  for (std::size_t i = 0; i < end; ++i) {
    Subscriber* subscriber = entry.subscribers[i];
    if (subscriber && subscriber != skip) subscriber->deliver(message);
  }
  --entry.delivering;
  if (entry.delivering == 0 && entry.live != entry.subscribers.size()) {
    compact(entry);
    if (entry.live == 0) topics_.erase(topics_.find(topic));
  }
}

void TopicTable::compact(Topic& topic) {
  std::erase(topic.subscribers, nullptr);
}

}  // namespace pulsarcpp::ws
