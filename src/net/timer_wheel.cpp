#include "net/timer_wheel.hpp"

namespace pulsarcpp::net {

WheelTimer::~WheelTimer() {
  if (wheel_) wheel_->cancel(*this);
}

TimerWheel::TimerWheel(std::int64_t now_ms) noexcept : current_tick_(now_ms / kSlotMs) {}

TimerWheel::~TimerWheel() {
  for (auto*& head : slots_) {
    while (head) cancel(*head);
  }
}

void TimerWheel::link(WheelTimer& timer, std::size_t slot) noexcept {
  timer.wheel_ = this;
  timer.slot_ = slot;
  timer.prev_ = nullptr;
  timer.next_ = slots_[slot];
  if (slots_[slot]) slots_[slot]->prev_ = &timer;
  slots_[slot] = &timer;
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
  if (!timer.wheel_) return;
  if (timer.prev_) {
    timer.prev_->next_ = timer.next_;
  } else {
    slots_[timer.slot_] = timer.next_;
  }
  if (timer.next_) timer.next_->prev_ = timer.prev_;
  timer.wheel_ = nullptr;
  timer.prev_ = timer.next_ = nullptr;
  --size_;
}

void TimerWheel::advance(std::int64_t now_ms) {
  const std::int64_t last_tick = now_ms / kSlotMs;
  while (current_tick_ <= last_tick) {
    const std::size_t slot = static_cast<std::size_t>(current_tick_) % kSlots;
    // Timers scheduled by the callbacks below land at current_tick_ or later, never in the
    // slot being drained, so the loop ends.
    ++current_tick_;
    while (WheelTimer* timer = slots_[slot]) {
      cancel(*timer);
      if (timer->deadline_ms_ <= now_ms) {
        timer->on_timer_expired();
      } else {
        link(*timer, kParked);
      }
    }
    while (WheelTimer* timer = slots_[kParked]) schedule(*timer, timer->deadline_ms_);
  }
}

std::int64_t TimerWheel::ms_until_next_tick(std::int64_t now_ms) const noexcept {
  if (size_ == 0) return -1;
  std::int64_t next = current_tick_ * kSlotMs;
  return next > now_ms ? next - now_ms : 0;
}

}  // namespace pulsarcpp::net
