#pragma once
// Server-wide pub/sub: frames a publish once and hands it to every loop that has subscribers
// of the topic (directly to the calling loop, posted to the others), and keeps the counts that
// subscriber_count() reads. Thread-safe.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ws/frame.hpp"
#include "ws/published_message.hpp"
#include "ws/topic_table.hpp"

namespace pulsarcpp::detail {

struct LoopContext;

class PubSubHub {
 public:
  explicit PubSubHub(std::vector<LoopContext*> loops);

  /// Frames `data` once and delivers it to the topic's subscribers on every loop, except
  /// `skip` (a socket of the calling loop). Returns how many subscribers the topic had, `skip`
  /// included when it is one.
  std::size_t publish(std::string_view topic, ws::Opcode opcode, std::string_view data,
                      bool compress, const ws::Subscriber* skip);

  /// Loops report each subscribe (+1) and unsubscribe (-1).
  void count(std::string_view topic, std::size_t loop, int delta);
  std::size_t subscriber_count(std::string_view topic) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  std::vector<LoopContext*> loops_;
  mutable std::mutex mutex_;
  // topic -> subscribers per loop
  std::unordered_map<std::string, std::vector<std::size_t>, Hash, std::equal_to<>> counts_;
};

/// Builds the message: the plain frame, and when asked the compressed one.
std::shared_ptr<const ws::PublishedMessage> make_published(ws::Opcode opcode,
                                                           std::string_view data, bool compress);

}  // namespace pulsarcpp::detail
