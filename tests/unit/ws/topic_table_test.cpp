#include "ws/topic_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pulsarcpp::ws {
namespace {

PublishedMessage message_of(std::string_view text) {
  PublishedMessage message;
  message.opcode = Opcode::text;
  append_frame(message.frame, Opcode::text, text);
  message.payload.assign(text);
  return message;
}

// Records what it receives; `on_deliver` lets a test act from inside a delivery.
class FakeSubscriber final : public Subscriber {
 public:
  void deliver(const PublishedMessage& message) override {
    received.push_back(message.payload);
    if (on_deliver) on_deliver(message);
  }
  std::size_t& slot_in(std::string_view topic) override { return slots[std::string(topic)]; }
  std::vector<std::string> received;
  std::map<std::string, std::size_t> slots;
  std::function<void(const PublishedMessage&)> on_deliver;
};

TEST(TopicTableTest, SubscribeCountsAndUnsubscribeReportsWhetherItWas) {
  TopicTable table;
  FakeSubscriber a, b;
  EXPECT_EQ(table.subscriber_count("chat"), 0u);
  EXPECT_TRUE(table.subscribe("chat", &a));
  EXPECT_TRUE(table.subscribe("chat", &b));
  EXPECT_TRUE(table.subscribe("news", &a));
  EXPECT_EQ(table.subscriber_count("chat"), 2u);
  EXPECT_EQ(table.subscriber_count("news"), 1u);
  EXPECT_EQ(table.topic_count(), 2u);

  EXPECT_TRUE(table.unsubscribe("chat", &a));
  EXPECT_FALSE(table.unsubscribe("chat", &a));
  EXPECT_FALSE(table.unsubscribe("nothing", &a));
  EXPECT_EQ(table.subscriber_count("chat"), 1u);
  EXPECT_EQ(table.subscriber_count("news"), 1u);
}

TEST(TopicTableTest, PublishReachesEverySubscriberOfTheTopicOnly) {
  TopicTable table;
  FakeSubscriber a, b, other;
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.subscribe("news", &other);
  table.publish("chat", message_of("hi"), nullptr);
  EXPECT_EQ(a.received, std::vector<std::string>{"hi"});
  EXPECT_EQ(b.received, std::vector<std::string>{"hi"});
  EXPECT_TRUE(other.received.empty());
}

TEST(TopicTableTest, PublishSkipsTheSkippedSubscriber) {
  TopicTable table;
  FakeSubscriber a, b;
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.publish("chat", message_of("x"), &a);
  EXPECT_TRUE(a.received.empty());
  EXPECT_EQ(b.received, std::vector<std::string>{"x"});
}

TEST(TopicTableTest, PublishToAnUnknownTopicDoesNothing) {
  TopicTable table;
  FakeSubscriber a;
  table.subscribe("chat", &a);
  table.publish("other", message_of("x"), nullptr);
  EXPECT_TRUE(a.received.empty());
  EXPECT_EQ(table.topic_count(), 1u);
}

TEST(TopicTableTest, TopicDisappearsWhenItsLastSubscriberLeaves) {
  TopicTable table;
  FakeSubscriber a, b;
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.unsubscribe("chat", &a);
  EXPECT_EQ(table.topic_count(), 1u);
  table.unsubscribe("chat", &b);
  EXPECT_EQ(table.topic_count(), 0u);
  EXPECT_EQ(table.subscriber_count("chat"), 0u);
  // A topic made again starts empty.
  table.subscribe("chat", &b);
  table.publish("chat", message_of("again"), nullptr);
  EXPECT_TRUE(a.received.empty());
  EXPECT_EQ(b.received, std::vector<std::string>{"again"});
}

TEST(TopicTableTest, UnsubscribingItselfDuringDeliveryIsSafe) {
  TopicTable table;
  FakeSubscriber a, b, c;
  a.on_deliver = [&](const PublishedMessage&) { EXPECT_TRUE(table.unsubscribe("chat", &a)); };
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.subscribe("chat", &c);
  table.publish("chat", message_of("1"), nullptr);
  EXPECT_EQ(a.received.size(), 1u);
  EXPECT_EQ(b.received.size(), 1u);
  EXPECT_EQ(c.received.size(), 1u);
  EXPECT_EQ(table.subscriber_count("chat"), 2u);

  table.publish("chat", message_of("2"), nullptr);
  EXPECT_EQ(a.received.size(), 1u);
  EXPECT_EQ(b.received, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(c.received, (std::vector<std::string>{"1", "2"}));
}

TEST(TopicTableTest, SubscriberRemovedDuringDeliveryIsSkipped) {
  TopicTable table;
  FakeSubscriber a, b, c;
  // The first one to receive removes the other two; whichever order the table keeps, nobody
  // removed before its turn may receive.
  auto remove_others = [&](FakeSubscriber& self) {
    for (FakeSubscriber* s : {&a, &b, &c}) {
      if (s != &self) table.unsubscribe("chat", s);
    }
  };
  bool removed = false;
  for (FakeSubscriber* s : {&a, &b, &c}) {
    s->on_deliver = [&, s](const PublishedMessage&) {
      if (!removed) {
        removed = true;
        remove_others(*s);
      }
    };
    table.subscribe("chat", s);
  }
  table.publish("chat", message_of("m"), nullptr);
  EXPECT_EQ(a.received.size() + b.received.size() + c.received.size(), 1u);
  EXPECT_EQ(table.subscriber_count("chat"), 1u);
  EXPECT_EQ(table.topic_count(), 1u);
}

TEST(TopicTableTest, EveryoneLeavingDuringDeliveryRemovesTheTopicAfterwards) {
  TopicTable table;
  FakeSubscriber a, b;
  a.on_deliver = [&](const PublishedMessage&) {
    table.unsubscribe("chat", &a);
    table.unsubscribe("chat", &b);
  };
  b.on_deliver = a.on_deliver;
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.publish("chat", message_of("bye"), nullptr);
  EXPECT_EQ(a.received.size() + b.received.size(), 1u);
  EXPECT_EQ(table.subscriber_count("chat"), 0u);
  EXPECT_EQ(table.topic_count(), 0u);
  // And the table works normally afterwards.
  table.subscribe("chat", &a);
  table.publish("chat", message_of("back"), nullptr);
  EXPECT_EQ(a.received.back(), "back");
}

TEST(TopicTableTest, SubscriberJoiningDuringDeliveryWaitsForTheNextMessage) {
  TopicTable table;
  FakeSubscriber a, late;
  a.on_deliver = [&](const PublishedMessage&) {
    if (table.subscriber_count("chat") == 1) table.subscribe("chat", &late);
  };
  table.subscribe("chat", &a);
  table.publish("chat", message_of("1"), nullptr);
  EXPECT_TRUE(late.received.empty());
  EXPECT_EQ(table.subscriber_count("chat"), 2u);
  table.publish("chat", message_of("2"), nullptr);
  EXPECT_EQ(late.received, std::vector<std::string>{"2"});
  EXPECT_EQ(a.received, (std::vector<std::string>{"1", "2"}));
}

TEST(TopicTableTest, ManySubscribersJoiningDuringDeliveryIsSafe) {
  // Enough joins to make the subscriber vector reallocate under the delivery loop.
  TopicTable table;
  FakeSubscriber a;
  std::vector<FakeSubscriber> joiners(100);
  bool joined = false;
  a.on_deliver = [&](const PublishedMessage&) {
    if (joined) return;
    joined = true;
    for (auto& j : joiners) table.subscribe("chat", &j);
  };
  table.subscribe("chat", &a);
  table.publish("chat", message_of("1"), nullptr);
  for (const auto& j : joiners) EXPECT_TRUE(j.received.empty());
  EXPECT_EQ(table.subscriber_count("chat"), 101u);
  table.publish("chat", message_of("2"), nullptr);
  for (const auto& j : joiners) EXPECT_EQ(j.received, std::vector<std::string>{"2"});
}

TEST(TopicTableTest, LeavingAndRejoiningDuringDeliveryKeepsOneSubscription) {
  TopicTable table;
  FakeSubscriber a, b;
  bool done = false;
  a.on_deliver = [&](const PublishedMessage&) {
    if (done) return;
    done = true;
    EXPECT_TRUE(table.unsubscribe("chat", &a));
    EXPECT_TRUE(table.subscribe("chat", &a));
  };
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.publish("chat", message_of("1"), nullptr);
  EXPECT_EQ(a.received.size(), 1u);
  EXPECT_EQ(b.received.size(), 1u);
  EXPECT_EQ(table.subscriber_count("chat"), 2u);
  table.publish("chat", message_of("2"), nullptr);
  EXPECT_EQ(a.received, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(b.received, (std::vector<std::string>{"1", "2"}));
}

TEST(TopicTableTest, SubscribingToOtherTopicsDuringDeliveryIsSafe) {
  // New topics may rehash the table while a delivery holds a reference into it.
  TopicTable table;
  FakeSubscriber a, b;
  bool done = false;
  a.on_deliver = [&](const PublishedMessage&) {
    if (done) return;
    done = true;
    for (int i = 0; i < 200; ++i) table.subscribe("t" + std::to_string(i), &a);
  };
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.publish("chat", message_of("1"), nullptr);
  EXPECT_EQ(b.received, std::vector<std::string>{"1"});
  EXPECT_EQ(table.topic_count(), 201u);
  table.publish("t150", message_of("x"), nullptr);
  EXPECT_EQ(a.received.back(), "x");
}

TEST(TopicTableTest, PublishingFromInsideADeliveryIsSafe) {
  TopicTable table;
  FakeSubscriber a, b;
  int depth = 0;
  a.on_deliver = [&](const PublishedMessage& m) {
    if (m.payload == "outer" && depth++ == 0) {
      table.unsubscribe("chat", &b);
      table.publish("chat", message_of("inner"), nullptr);
    }
  };
  table.subscribe("chat", &a);
  table.subscribe("chat", &b);
  table.publish("chat", message_of("outer"), nullptr);
  EXPECT_EQ(a.received, (std::vector<std::string>{"outer", "inner"}));
  // b either got "outer" before a ran, or was removed before its turn; never "inner".
  for (const auto& m : b.received) EXPECT_EQ(m, "outer");
  EXPECT_EQ(table.subscriber_count("chat"), 1u);
}

}  // namespace
}  // namespace pulsarcpp::ws

namespace pulsarcpp::ws {
namespace {

// Many joins and leaves in a scrambled order, some from inside deliveries (a hole, then a
// compaction that moves others): after each step exactly the members receive, once each.
TEST(TopicTableTest, MembershipStaysExactThroughScrambledJoinsAndLeaves) {
  TopicTable table;
  constexpr unsigned kSubscribers = 64;
  std::vector<std::unique_ptr<FakeSubscriber>> subscribers;
  for (unsigned i = 0; i < kSubscribers; ++i) {
    subscribers.push_back(std::make_unique<FakeSubscriber>());
  }
  std::vector<bool> member(kSubscribers, false);
  unsigned state = 12345;
  auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) % kSubscribers;
  };
  for (int step = 0; step < 3000; ++step) {
    const unsigned who = next();
    if (member[who]) {
      ASSERT_TRUE(table.unsubscribe("room", subscribers[who].get()));
    } else {
      ASSERT_TRUE(table.subscribe("room", subscribers[who].get()));
    }
    member[who] = !member[who];
    const unsigned leaver = next();
    if (step % 3 == 0 && member[leaver]) {
      subscribers[leaver]->on_deliver = [&, leaver](const PublishedMessage&) {
        EXPECT_TRUE(table.unsubscribe("room", subscribers[leaver].get()));
        member[leaver] = false;
      };
    }
    const std::vector<bool> before = member;
    for (auto& s : subscribers) s->received.clear();
    table.publish("room", message_of("m"), nullptr);
    subscribers[leaver]->on_deliver = nullptr;
    for (unsigned i = 0; i < kSubscribers; ++i) {
      ASSERT_EQ(subscribers[i]->received.size(), before[i] ? 1u : 0u) << "step " << step;
    }
    const auto members = static_cast<std::size_t>(std::count(member.begin(), member.end(), true));
    ASSERT_EQ(table.subscriber_count("room"), members) << "step " << step;
  }
}

}  // namespace
}  // namespace pulsarcpp::ws
