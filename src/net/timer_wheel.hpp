#pragma once
// A hashed timer wheel with one-second slots for connection deadlines (header, idle, WebSocket
// idle). Rescheduling is O(1): a connection is an intrusive node that moves between slots, so
// resetting an idle timer on every request costs two pointer swaps, not a heap operation.

#include <array>
#include <cstdint>

namespace pulsarcpp::net {

class TimerWheel;

/// The links of a slot's circular list. Each slot's head is one too, so unlinking a timer never
/// needs to know which slot holds it.
struct WheelLink {
  WheelLink* prev = nullptr;
  WheelLink* next = nullptr;
};

/// Embed in the object that owns the deadline; on_expired runs on the loop thread.
class WheelTimer : private WheelLink {
 public:
  virtual void on_timer_expired() = 0;
  bool scheduled() const noexcept { return wheel_ != nullptr; }
  std::int64_t deadline_ms() const noexcept { return deadline_ms_; }

 protected:
  WheelTimer() = default;
  ~WheelTimer();
  WheelTimer(const WheelTimer&) = delete;
  WheelTimer& operator=(const WheelTimer&) = delete;

 private:
  friend class TimerWheel;
  TimerWheel* wheel_ = nullptr;
  std::int64_t deadline_ms_ = 0;
};

class TimerWheel {
 public:
  static constexpr std::int64_t kSlotMs = 1000;
  static constexpr std::size_t kSlots = 64;

  explicit TimerWheel(std::int64_t now_ms) noexcept;
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;  // the slot heads point at themselves
  TimerWheel& operator=(const TimerWheel&) = delete;

  /// (Re)schedules `timer` to fire at `deadline_ms` (rounded up to the next slot boundary).
  void schedule(WheelTimer& timer, std::int64_t deadline_ms) noexcept;
  void cancel(WheelTimer& timer) noexcept;

  /// Fires every timer whose deadline is <= now. Timers may reschedule or cancel any timer,
  /// themselves included, from on_timer_expired.
  void advance(std::int64_t now_ms);

  /// Milliseconds until the next slot must be examined, or -1 when nothing is scheduled.
  std::int64_t ms_until_next_tick(std::int64_t now_ms) const noexcept;
  std::size_t size() const noexcept { return size_; }

 private:
  void link(WheelTimer& timer, std::size_t slot) noexcept;
  /// The first timer of `slot`, or nullptr when it is empty.
  WheelTimer* first(std::size_t slot) noexcept;
  static std::size_t slot_of(std::int64_t ms) noexcept {
    return static_cast<std::size_t>(ms / kSlotMs) % kSlots;
  }

  // The extra last slot parks timers seen in advance() but not yet due, so they stay
  // cancellable while callbacks run.
  static constexpr std::size_t kParked = kSlots;
  std::array<WheelLink, kSlots + 1> slots_{};
  std::int64_t current_tick_;  // index of the next slot boundary to process, in kSlotMs units
  std::size_t size_ = 0;
};

}  // namespace pulsarcpp::net
