#include "ws/topic_table.hpp"

#include <algorithm>

namespace pulsarcpp::ws {

bool TopicTable::subscribe(std::string_view topic, Subscriber* subscriber) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) it = topics_.emplace(std::string(topic), Topic{}).first;
  Topic& entry = it->second;
  entry.subscribers.push_back(subscriber);
  subscriber->slot_in(topic) = entry.subscribers.size() - 1;
  ++entry.live;
  return true;
}

bool TopicTable::unsubscribe(std::string_view topic, Subscriber* subscriber) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return false;
  Topic& entry = it->second;
  const std::size_t slot = subscriber->slot_in(topic);
  if (slot >= entry.subscribers.size() || entry.subscribers[slot] != subscriber) return false;
  --entry.live;
  if (entry.delivering > 0) {
    entry.subscribers[slot] = nullptr;  // the delivery loop is indexing this vector: a hole
    return true;
  }
  // Order among subscribers carries no meaning, so the last one takes the freed slot.
  place(topic, entry, slot, entry.subscribers.back());
  entry.subscribers.pop_back();
  if (entry.live == 0) topics_.erase(it);
  return true;
}

void TopicTable::place(std::string_view topic, Topic& entry, std::size_t slot,
                       Subscriber* subscriber) {
  entry.subscribers[slot] = subscriber;
  if (subscriber) subscriber->slot_in(topic) = slot;
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
    compact(topic, entry);
    // Found again: subscriptions to new topics during the delivery may have rehashed the map
    // (which moves no element, so `entry` stayed valid, but invalidates iterators).
    if (entry.live == 0) topics_.erase(topics_.find(topic));
  }
}

// Fills the holes left by subscribers that went away during a delivery with subscribers from the
// end, telling each one moved its new slot.
void TopicTable::compact(std::string_view topic, Topic& entry) {
  auto& list = entry.subscribers;
  std::size_t slot = 0;
  while (slot < list.size()) {
    if (list[slot] != nullptr) {
      ++slot;
      continue;
    }
    while (!list.empty() && list.back() == nullptr) list.pop_back();
    if (slot < list.size()) {
      place(topic, entry, slot, list.back());
      list.pop_back();
    }
  }
}

}  // namespace pulsarcpp::ws
