#include "net/timer_wheel.hpp"

namespace pulsarcpp::net {

WheelTimer::~WheelTimer() {
  if (wheel_) wheel_->cancel(*this);
}

TimerWheel::TimerWheel(std::int64_t now_ms) noexcept : current_tick_(now_ms / kSlotMs) {
  for (WheelLink& head : slots_) head.prev = head.next = &head;
}

TimerWheel::~TimerWheel() {
  for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
    while (WheelTimer* timer = first(slot)) cancel(*timer);
  }
}

WheelTimer* TimerWheel::first(std::size_t slot) noexcept {
  WheelLink* next = slots_[slot].next;
  return next == &slots_[slot] ? nullptr : static_cast<WheelTimer*>(next);
}

void TimerWheel::link(WheelTimer& timer, std::size_t slot) noexcept {
  WheelLink& head = slots_[slot];
  timer.wheel_ = this;
  timer.prev = &head;
  timer.next = head.next;
  head.next->prev = &timer;
  head.next = &timer;
  ++size_;
}

void TimerWheel::schedule(WheelTimer& timer, std::int64_t deadline_ms) noexcept {
  if (timer.wheel_) cancel(timer);
  timer.deadline_ms_ = deadline_ms;
  // A deadline further away than one turn lands in a slot that is visited earlier; advance()
  // then sees it is not due yet and leaves it for the next turn.
  std::int64_t tick = (deadline_ms + kSlotMs - 1) / kSlotMs;
  if (tick < current_tick_) tick = current_tick_;
  link(timer, slot_of(tick * kSlotMs));
}

void TimerWheel::cancel(WheelTimer& timer) noexcept {
  if (timer.wheel_ != this) return;
  timer.prev->next = timer.next;
  timer.next->prev = timer.prev;
  timer.wheel_ = nullptr;
  timer.prev = timer.next = nullptr;
  --size_;
}

void TimerWheel::advance(std::int64_t now_ms) {
  const std::int64_t last_tick = now_ms / kSlotMs;
  while (current_tick_ <= last_tick) {
    const std::size_t slot = static_cast<std::size_t>(current_tick_) % kSlots;
    // Timers scheduled by the callbacks below land at current_tick_ or later, never in the
    // slot being drained, so the loop ends.
    ++current_tick_;
    while (WheelTimer* timer = first(slot)) {
      cancel(*timer);
      if (timer->deadline_ms_ <= now_ms) {
        timer->on_timer_expired();
      } else {
        link(*timer, kParked);
      }
    }
    while (WheelTimer* timer = first(kParked)) schedule(*timer, timer->deadline_ms_);
  }
}

std::int64_t TimerWheel::ms_until_next_tick(std::int64_t now_ms) const noexcept {
  if (size_ == 0) return -1;
  std::int64_t next = current_tick_ * kSlotMs;
  return next > now_ms ? next - now_ms : 0;
}

}  // namespace pulsarcpp::net
