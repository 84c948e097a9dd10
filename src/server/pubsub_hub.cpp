#include "server/pubsub_hub.hpp"

#include <optional>

#include "server/loop_context.hpp"
#include "ws/deflate.hpp"

namespace pulsarcpp::detail {

std::shared_ptr<const ws::PublishedMessage> make_published(ws::Opcode opcode,
                                                           std::string_view data, bool compress) {
  auto message = std::make_shared<ws::PublishedMessage>();
  message->opcode = opcode;
  ws::append_frame(message->frame, opcode, data);
  if (compress) {
    // Compressed once without context, so every subscriber that agreed to no context takeover
    // (the shared mode) can take the same bytes; one stream per publishing thread.
    thread_local std::optional<ws::Deflater> deflater = ws::Deflater::create(15, true);
    std::string compressed;
    if (deflater && deflater->deflate_message(data, compressed)) {
      ws::append_frame(message->deflated_frame, opcode, compressed, true, true);
      message->compress = true;
      message->payload.assign(data);
    }
  }
  return message;
}

PubSubHub::PubSubHub(std::vector<LoopContext*> loops) : loops_(std::move(loops)) {}

void PubSubHub::count(std::string_view topic, std::size_t loop, int delta) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(topic);
  if (it == counts_.end()) {
    if (delta <= 0) return;
    it = counts_.emplace(std::string(topic), std::vector<std::size_t>(loops_.size(), 0)).first;
  }
  it->second[loop] = static_cast<std::size_t>(static_cast<long>(it->second[loop]) + delta);
  for (std::size_t n : it->second) {
    if (n) return;
  }
  counts_.erase(it);
}

std::size_t PubSubHub::subscriber_count(std::string_view topic) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(topic);
  if (it == counts_.end()) return 0;
  std::size_t total = 0;
  for (std::size_t n : it->second) total += n;
  return total;
}

std::size_t PubSubHub::publish(std::string_view topic, ws::Opcode opcode, std::string_view data,
                               bool compress, const ws::Subscriber* skip) {
  std::vector<std::size_t> targets;
  std::size_t subscribers = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(topic);
    if (it == counts_.end()) return 0;
    for (std::size_t i = 0; i < it->second.size(); ++i) {
      if (it->second[i]) targets.push_back(i);
      subscribers += it->second[i];
    }
  }
  auto message = make_published(opcode, data, compress);
  net::EventLoop* here = net::EventLoop::current();
  for (std::size_t index : targets) {
    LoopContext* loop = loops_[index];
    if (&loop->loop == here) {
      loop->topics.publish(topic, *message, skip);
    } else {
      // Posts from one thread run in order on each loop: per-publisher order is kept.
      loop->loop.post([loop, message, name = std::string(topic)] {
        loop->topics.publish(name, *message, nullptr);
      });
    }
  }
  return subscribers;
}

}  // namespace pulsarcpp::detail
