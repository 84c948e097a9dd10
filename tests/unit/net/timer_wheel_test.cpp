#include "net/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace pulsarcpp::net {
namespace {

// The wheel is driven with explicit times, so these tests never wait on a clock.
class CountingTimer final : public WheelTimer {
 public:
  void on_timer_expired() override {
    ++fired;
    if (on_fire) on_fire();
  }
  int fired = 0;
  std::function<void()> on_fire;
};

constexpr std::int64_t kStart = 10'000;  // on a slot boundary, as a fresh loop's clock may be

TEST(TimerWheelTest, FiresAtTheSlotBoundaryAfterTheDeadline) {
  TimerWheel wheel(kStart);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 1500);
  EXPECT_TRUE(timer.scheduled());
  EXPECT_EQ(timer.deadline_ms(), kStart + 1500);
  EXPECT_EQ(wheel.size(), 1u);

  wheel.advance(kStart + 1499);
  EXPECT_EQ(timer.fired, 0);
  // Deadlines are rounded up to the next one-second boundary, never fired early.
  wheel.advance(kStart + 1999);
  EXPECT_EQ(timer.fired, 0);
  wheel.advance(kStart + 2000);
  EXPECT_EQ(timer.fired, 1);
  EXPECT_FALSE(timer.scheduled());
  EXPECT_EQ(wheel.size(), 0u);

  wheel.advance(kStart + 10'000);
  EXPECT_EQ(timer.fired, 1);  // one-shot
}

TEST(TimerWheelTest, DeadlineOnABoundaryFiresAtThatBoundary) {
  TimerWheel wheel(kStart);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 3000);
  wheel.advance(kStart + 2999);
  EXPECT_EQ(timer.fired, 0);
  wheel.advance(kStart + 3000);
  EXPECT_EQ(timer.fired, 1);
}

TEST(TimerWheelTest, PastDeadlineFiresOnTheNextAdvance) {
  TimerWheel wheel(kStart);
  wheel.advance(kStart + 5000);
  CountingTimer timer;
  wheel.schedule(timer, kStart);  // already late
  wheel.advance(kStart + 5000);
  EXPECT_EQ(timer.fired, 0);  // the current slot has been drained already
  wheel.advance(kStart + 6000);
  EXPECT_EQ(timer.fired, 1);
}

TEST(TimerWheelTest, CancelledTimerNeverFires) {
  TimerWheel wheel(kStart);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 1000);
  wheel.cancel(timer);
  EXPECT_FALSE(timer.scheduled());
  EXPECT_EQ(wheel.size(), 0u);
  wheel.advance(kStart + 100'000);
  EXPECT_EQ(timer.fired, 0);
  wheel.cancel(timer);  // cancelling twice is harmless
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheelTest, CancelKeepsTheOtherTimersOfTheSlot) {
  TimerWheel wheel(kStart);
  CountingTimer first, middle, last;
  for (auto* timer : {&first, &middle, &last}) wheel.schedule(*timer, kStart + 1000);
  wheel.cancel(middle);
  EXPECT_EQ(wheel.size(), 2u);
  wheel.advance(kStart + 1000);
  EXPECT_EQ(first.fired, 1);
  EXPECT_EQ(middle.fired, 0);
  EXPECT_EQ(last.fired, 1);
}

TEST(TimerWheelTest, RescheduleMovesTheDeadline) {
  TimerWheel wheel(kStart);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 1000);
  wheel.schedule(timer, kStart + 5000);  // e.g. an idle timer reset by a request
  EXPECT_EQ(wheel.size(), 1u);
  wheel.advance(kStart + 4000);
  EXPECT_EQ(timer.fired, 0);
  wheel.advance(kStart + 5000);
  EXPECT_EQ(timer.fired, 1);
  wheel.advance(kStart + 20'000);
  EXPECT_EQ(timer.fired, 1);
}

TEST(TimerWheelTest, RescheduleEarlierFiresEarlier) {
  TimerWheel wheel(kStart);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 30'000);
  wheel.schedule(timer, kStart + 2000);
  wheel.advance(kStart + 2000);
  EXPECT_EQ(timer.fired, 1);
}

TEST(TimerWheelTest, DeadlineBeyondOneTurnWaitsForItsTurn) {
  TimerWheel wheel(kStart);
  CountingTimer near, far;
  // 65 s is one slot past a full turn: it shares a slot with the 1 s timer.
  wheel.schedule(near, kStart + 1000);
  wheel.schedule(far, kStart + 65'000);
  for (std::int64_t t = kStart; t < kStart + 65'000; t += 250) {
    wheel.advance(t);
    ASSERT_EQ(far.fired, 0) << "at +" << t - kStart << " ms";
  }
  EXPECT_EQ(near.fired, 1);
  EXPECT_TRUE(far.scheduled());  // still cancellable while it waits
  wheel.advance(kStart + 65'000);
  EXPECT_EQ(far.fired, 1);
}

TEST(TimerWheelTest, DeadlineSeveralTurnsAwayFiresOnce) {
  TimerWheel wheel(kStart);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 200'000);
  for (std::int64_t t = kStart; t < kStart + 200'000; t += 1000) wheel.advance(t);
  EXPECT_EQ(timer.fired, 0);
  wheel.advance(kStart + 200'000);
  EXPECT_EQ(timer.fired, 1);
  wheel.advance(kStart + 400'000);
  EXPECT_EQ(timer.fired, 1);
}

TEST(TimerWheelTest, LongJumpFiresEverythingDue) {
  // A loop that was blocked for minutes must still fire every due timer, exactly once.
  TimerWheel wheel(kStart);
  CountingTimer a, b, c, later;
  wheel.schedule(a, kStart + 1000);
  wheel.schedule(b, kStart + 70'000);
  wheel.schedule(c, kStart + 130'000);
  wheel.schedule(later, kStart + 300'000);
  wheel.advance(kStart + 200'000);
  EXPECT_EQ(a.fired, 1);
  EXPECT_EQ(b.fired, 1);
  EXPECT_EQ(c.fired, 1);
  EXPECT_EQ(later.fired, 0);
  EXPECT_EQ(wheel.size(), 1u);
}

TEST(TimerWheelTest, CallbackMayRescheduleItself) {
  TimerWheel wheel(kStart);
  CountingTimer periodic;
  std::int64_t now = kStart;
  periodic.on_fire = [&] {
    if (periodic.fired < 3) wheel.schedule(periodic, now + 2000);
  };
  wheel.schedule(periodic, kStart + 2000);
  for (now = kStart; now <= kStart + 20'000; now += 1000) wheel.advance(now);
  EXPECT_EQ(periodic.fired, 3);
  EXPECT_FALSE(periodic.scheduled());
}

TEST(TimerWheelTest, CallbackMayCancelATimerDueInTheSameSlot) {
  TimerWheel wheel(kStart);
  CountingTimer a, b;
  // Whichever runs first cancels the other, so exactly one fires.
  a.on_fire = [&] { wheel.cancel(b); };
  b.on_fire = [&] { wheel.cancel(a); };
  wheel.schedule(a, kStart + 1000);
  wheel.schedule(b, kStart + 1000);
  wheel.advance(kStart + 1000);
  EXPECT_EQ(a.fired + b.fired, 1);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheelTest, CallbackMayCancelATimerWaitingForALaterTurn) {
  TimerWheel wheel(kStart);
  CountingTimer killer, victim;
  killer.on_fire = [&] { wheel.cancel(victim); };
  // Same slot, but the victim is due one turn later: it is parked while the slot is drained.
  wheel.schedule(victim, kStart + 65'000);
  wheel.schedule(killer, kStart + 1000);
  wheel.advance(kStart + 1000);
  EXPECT_EQ(killer.fired, 1);
  EXPECT_FALSE(victim.scheduled());
  EXPECT_EQ(wheel.size(), 0u);
  wheel.advance(kStart + 100'000);
  EXPECT_EQ(victim.fired, 0);
}

TEST(TimerWheelTest, CallbackMayCancelATimerInAnotherSlot) {
  TimerWheel wheel(kStart);
  CountingTimer killer, victim;
  killer.on_fire = [&] { wheel.cancel(victim); };
  wheel.schedule(killer, kStart + 1000);
  wheel.schedule(victim, kStart + 2000);
  wheel.advance(kStart + 5000);  // both are due in this one call
  EXPECT_EQ(killer.fired, 1);
  EXPECT_EQ(victim.fired, 0);
}

TEST(TimerWheelTest, TimerScheduledByCallbackWaitsForItsOwnDeadline) {
  TimerWheel wheel(kStart);
  CountingTimer first, second;
  first.on_fire = [&] { wheel.schedule(second, kStart + 4000); };
  wheel.schedule(first, kStart + 1000);
  wheel.advance(kStart + 3000);
  EXPECT_EQ(first.fired, 1);
  EXPECT_EQ(second.fired, 0);
  wheel.advance(kStart + 4000);
  EXPECT_EQ(second.fired, 1);
}

TEST(TimerWheelTest, DestroyedTimerUnlinksItself) {
  TimerWheel wheel(kStart);
  CountingTimer survivor;
  wheel.schedule(survivor, kStart + 1000);
  {
    CountingTimer doomed;
    wheel.schedule(doomed, kStart + 1000);
    EXPECT_EQ(wheel.size(), 2u);
  }
  EXPECT_EQ(wheel.size(), 1u);
  wheel.advance(kStart + 1000);  // must not touch the destroyed timer
  EXPECT_EQ(survivor.fired, 1);
}

TEST(TimerWheelTest, DestroyedWheelReleasesItsTimers) {
  CountingTimer timer;
  {
    TimerWheel wheel(kStart);
    wheel.schedule(timer, kStart + 1000);
  }
  EXPECT_FALSE(timer.scheduled());  // and its destructor must not touch the dead wheel
}

TEST(TimerWheelTest, MsUntilNextTickIsMinusOneWhenEmpty) {
  TimerWheel wheel(kStart);
  EXPECT_EQ(wheel.ms_until_next_tick(kStart), -1);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 5000);
  wheel.cancel(timer);
  EXPECT_EQ(wheel.ms_until_next_tick(kStart + 123), -1);
}

TEST(TimerWheelTest, MsUntilNextTickCountsToTheNextSlotBoundary) {
  TimerWheel wheel(kStart);
  CountingTimer timer;
  wheel.schedule(timer, kStart + 10'000);
  wheel.advance(kStart);
  EXPECT_EQ(wheel.ms_until_next_tick(kStart), 1000);
  EXPECT_EQ(wheel.ms_until_next_tick(kStart + 250), 750);
  EXPECT_EQ(wheel.ms_until_next_tick(kStart + 999), 1);
  // Overdue (the loop was late): look at the wheel now.
  EXPECT_EQ(wheel.ms_until_next_tick(kStart + 1000), 0);
  EXPECT_EQ(wheel.ms_until_next_tick(kStart + 4321), 0);
  wheel.advance(kStart + 4321);
  EXPECT_EQ(wheel.ms_until_next_tick(kStart + 4321), 679);
}

TEST(TimerWheelTest, ManyTimersFireInTheirOwnSlots) {
  TimerWheel wheel(kStart);
  std::vector<CountingTimer> timers(200);
  for (std::size_t i = 0; i < timers.size(); ++i) {
    wheel.schedule(timers[i], kStart + static_cast<std::int64_t>(i) * 500);
  }
  for (std::int64_t t = kStart; t <= kStart + 100'000; t += 1000) {
    wheel.advance(t);
    for (std::size_t i = 0; i < timers.size(); ++i) {
      const std::int64_t deadline = kStart + static_cast<std::int64_t>(i) * 500;
      // Fired exactly when the first boundary at or after the deadline has passed.
      const bool due = ((deadline + 999) / 1000) * 1000 <= t;
      ASSERT_EQ(timers[i].fired, due ? 1 : 0) << "timer " << i << " at +" << t - kStart;
    }
  }
  EXPECT_EQ(wheel.size(), 0u);
}

}  // namespace
}  // namespace pulsarcpp::net
