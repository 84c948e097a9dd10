#include "net/intrusive_list.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace pulsarcpp::net {
namespace {

struct Item : ListLink<Item> {
  explicit Item(int v) : value(v) {}
  int value;
};

std::vector<int> values(const IntrusiveList<Item>& list) {
  std::vector<int> out;
  for (Item* item : list.snapshot()) out.push_back(item->value);
  return out;
}

TEST(IntrusiveListTest, KeepsInsertionOrder) {
  Item a(1), b(2), c(3);
  IntrusiveList<Item> list;
  EXPECT_TRUE(list.empty());
  list.insert(a);
  list.insert(b);
  list.insert(c);
  EXPECT_EQ(values(list), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(list.size(), 3u);
  EXPECT_FALSE(list.empty());
}

TEST(IntrusiveListTest, EraseHeadMiddleAndTail) {
  Item a(1), b(2), c(3), d(4);
  IntrusiveList<Item> list;
  for (Item* item : {&a, &b, &c, &d}) list.insert(*item);
  list.erase(b);
  EXPECT_EQ(values(list), (std::vector<int>{1, 3, 4}));
  list.erase(a);
  EXPECT_EQ(values(list), (std::vector<int>{3, 4}));
  list.erase(d);
  EXPECT_EQ(values(list), (std::vector<int>{3}));
  list.erase(c);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.size(), 0u);
}

TEST(IntrusiveListTest, ContainsOnlyWhatWasInserted) {
  Item a(1), b(2);
  IntrusiveList<Item> list;
  list.insert(a);
  EXPECT_TRUE(list.contains(a));
  EXPECT_FALSE(list.contains(b));
  list.erase(a);
  EXPECT_FALSE(list.contains(a));
}

TEST(IntrusiveListTest, InsertTwiceAndEraseTwiceAreHarmless) {
  Item a(1), b(2);
  IntrusiveList<Item> list;
  list.insert(a);
  list.insert(b);
  list.insert(a);
  EXPECT_EQ(values(list), (std::vector<int>{1, 2}));
  list.erase(b);
  list.erase(b);
  EXPECT_EQ(values(list), (std::vector<int>{1}));
  EXPECT_EQ(list.size(), 1u);
}

TEST(IntrusiveListTest, AnErasedElementMayBeInsertedAgainAtTheEnd) {
  Item a(1), b(2), c(3);
  IntrusiveList<Item> list;
  for (Item* item : {&a, &b, &c}) list.insert(*item);
  list.erase(a);
  list.insert(a);
  EXPECT_EQ(values(list), (std::vector<int>{2, 3, 1}));
}

TEST(IntrusiveListTest, SnapshotSurvivesErasingEveryElement) {
  std::vector<std::unique_ptr<Item>> items;
  IntrusiveList<Item> list;
  for (int i = 0; i < 100; ++i) list.insert(*items.emplace_back(std::make_unique<Item>(i)));
  int visited = 0;
  for (Item* item : list.snapshot()) {
    list.erase(*item);
    ++visited;
  }
  EXPECT_EQ(visited, 100);
  EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace pulsarcpp::net
