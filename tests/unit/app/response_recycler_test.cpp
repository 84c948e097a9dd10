#include "app/response_recycler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace pulsarcpp::detail {
namespace {

// Drains what earlier tests on this thread left on the shelf.
void empty_the_shelf() {
  for (int i = 0; i < 8; ++i) {
    (void)recycled_body();
    (void)recycled_headers("x", "y");
  }
}

TEST(ResponseRecycler, ABodyComesBackEmptyWithItsCapacity) {
  empty_the_shelf();
  std::string body(200, 'x');
  const char* storage = body.data();
  Headers none;
  recycle(body, none);
  std::string next = recycled_body();
  EXPECT_TRUE(next.empty());
  EXPECT_EQ(next.data(), storage);
  EXPECT_GE(next.capacity(), 200u);
}

TEST(ResponseRecycler, HeadersComeBackAsExactlyTheOneAskedFor) {
  empty_the_shelf();
  Headers headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"X-B", "2"}};
  const auto* storage = headers.data();
  std::string no_body;
  recycle(no_body, headers);
  Headers next = recycled_headers("Content-Type", "text/plain;charset=utf-8");
  EXPECT_EQ(next, (Headers{{"Content-Type", "text/plain;charset=utf-8"}}));
  EXPECT_EQ(next.data(), storage);
}

TEST(ResponseRecycler, WithNothingKeptHelpersStillWork) {
  empty_the_shelf();
  EXPECT_TRUE(recycled_body().empty());
  EXPECT_EQ(recycled_headers("Location", "/"), (Headers{{"Location", "/"}}));
}

TEST(ResponseRecycler, LargeStorageIsNotKept) {
  empty_the_shelf();
  std::string big(1 << 20, 'x');
  Headers many(64, {"X", "y"});
  recycle(big, many);
  EXPECT_LT(recycled_body().capacity(), std::size_t{1} << 20);
  EXPECT_LT(recycled_headers("a", "b").capacity(), 64u);
}

TEST(ResponseRecycler, ResponsesRecycleWhenDestroyed) {
  empty_the_shelf();
  const char* storage = nullptr;
  {
    Response response = json({{"message", "a body longer than the small-string buffer"}});
    storage = response.body.data();
  }
  Response next = json({{"other", 1}});
  EXPECT_EQ(next.body.data(), storage);
  EXPECT_EQ(next.body, R"({"other":1})");
  EXPECT_EQ(next.headers, (Headers{{"Content-Type", "application/json"}}));
}

TEST(ResponseRecycler, EachThreadHasItsOwnShelf) {
  empty_the_shelf();
  std::string body(100, 'x');
  Headers none;
  recycle(body, none);
  std::thread([] { EXPECT_EQ(recycled_body().capacity(), std::string().capacity()); }).join();
  EXPECT_GE(recycled_body().capacity(), 100u);
}

}  // namespace
}  // namespace pulsarcpp::detail
