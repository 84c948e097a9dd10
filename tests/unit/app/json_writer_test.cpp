#include "app/json_writer.hpp"

#include <gtest/gtest.h>

#include <random>

namespace pulsarcpp::detail {
namespace {

std::string written(const nlohmann::json& value) {
  std::string out;
  append_json(out, value);
  return out;
}

TEST(JsonWriter, MatchesDumpForEveryType) {
  const nlohmann::json samples[] = {
      nullptr,
      true,
      false,
      0,
      -42,
      std::uint64_t{18446744073709551615ull},
      std::int64_t{-9223372036854775807ll - 1},
      3.25,
      1e300,
      -0.0,
      "",
      "plain",
      "quote \" backslash \\ tab \t newline \n control \x01",
      "caf\xc3\xa9 \xf0\x9f\x98\x80",
      nlohmann::json::array(),
      nlohmann::json::object(),
      {{"message", "Hello, world!"}},
      {{"b", 1}, {"a", {1, 2, {{"x", nullptr}}}}, {"k\"ey", "v"}},
      nlohmann::json::binary({1, 2, 3}),
  };
  for (const auto& sample : samples) EXPECT_EQ(written(sample), sample.dump()) << sample.dump();
}

TEST(JsonWriter, InvalidUtf8ThrowsLikeDump) {
  nlohmann::json bad = std::string("\xff");
  EXPECT_THROW(written(bad), nlohmann::json::type_error);
  EXPECT_THROW(written({{"k", bad}}), nlohmann::json::type_error);
}

TEST(JsonWriter, MatchesDumpOnRandomDocuments) {
  std::mt19937 random(7);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  std::function<nlohmann::json(int)> make = [&](int depth) -> nlohmann::json {
    switch (depth > 3 ? pick(5) : pick(7)) {
      case 0: return nullptr;
      case 1: return pick(2) == 0;
      case 2: return static_cast<std::int64_t>(random()) - (1ll << 31);
      case 3: return static_cast<double>(random()) / 1000.0;
      case 4: {
        std::string s;
        for (int i = pick(12); i > 0; --i) s.push_back(static_cast<char>(pick(0x7f) + 1));
        return s;
      }
      case 5: {
        auto array = nlohmann::json::array();
        for (int i = pick(4); i > 0; --i) array.push_back(make(depth + 1));
        return array;
      }
      default: {
        auto object = nlohmann::json::object();
        for (int i = pick(4); i > 0; --i) {
          // Not "k" + std::to_string(...): GCC 12 at -O3 warns falsely (-Wrestrict) on it.
          std::string key = std::to_string(pick(100));
          key.insert(key.begin(), 'k');
          object[key] = make(depth + 1);
        }
        return object;
      }
    }
  };
  for (int i = 0; i < 2000; ++i) {
    nlohmann::json document = make(0);
    ASSERT_EQ(written(document), document.dump());
  }
}

// The same braced literal through the fields writer and through nlohmann::json.
#define EXPECT_LITERAL_MATCHES(...)                                                  \
  do {                                                                               \
    std::string out;                                                                 \
    append_json(out, std::initializer_list<JsonField> __VA_ARGS__);                  \
    EXPECT_EQ(out, nlohmann::json(__VA_ARGS__).dump()) << #__VA_ARGS__;              \
  } while (false)

TEST(JsonWriterLiteral, MatchesDumpForEveryScalar) {
  const std::string text = "text";
  const std::string_view view = "view";
  const char* pointer = "pointer";
  EXPECT_LITERAL_MATCHES({{"message", "Hello, world!"}});
  EXPECT_LITERAL_MATCHES({{"null", nullptr}, {"yes", true}, {"no", false}});
  EXPECT_LITERAL_MATCHES({{"zero", 0}, {"negative", -42}, {"char", 'x'}, {"short", short{-7}}});
  EXPECT_LITERAL_MATCHES({{"max", std::uint64_t{18446744073709551615ull}},
                          {"min", std::int64_t{-9223372036854775807ll - 1}},
                          {"unsigned", 5u}});
  EXPECT_LITERAL_MATCHES({{"float", 0.1f}, {"double", 3.25}, {"big", 1e300}, {"nz", -0.0}});
  EXPECT_LITERAL_MATCHES({{text, view}, {view, pointer}, {pointer, text}, {"", ""}});
  EXPECT_LITERAL_MATCHES({{std::string("temporary"), std::string("value")}});
}

TEST(JsonWriterLiteral, SortsByKeyAndKeepsTheFirstOfEqualKeys) {
  EXPECT_LITERAL_MATCHES({{"b", 1}, {"a", 2}, {"c", 3}});
  EXPECT_LITERAL_MATCHES({{"k", 1}, {"k", 2}, {"a", 0}, {"k", 3}});
  EXPECT_LITERAL_MATCHES({{"B", 1}, {"a", 2}, {"A", 3}, {"ab", 4}, {"a\x7f", 5}});
}

TEST(JsonWriterLiteral, EscapesAndUtf8AreNlohmanns) {
  EXPECT_LITERAL_MATCHES({{"quote\"", "back\\slash"}, {"tab", "a\tb"}, {"ctl", "\x01"}});
  EXPECT_LITERAL_MATCHES({{"caf\xc3\xa9", "\xf0\x9f\x98\x80 and more than eight bytes"}});
  EXPECT_LITERAL_MATCHES({{"eight___", "exactly8"}, {"sixteen_________", "seventeen________"}});
  std::string out;
  EXPECT_THROW(append_json(out, {{"k", "\xff"}}), nlohmann::json::type_error);
}

// The word-at-a-time test for bytes that need escaping, at every position of strings around
// its word sizes: each ASCII byte among plain ones (a UTF-8 lead byte alone is nlohmann's
// error), and a two-byte character, in the key and in the value.
TEST(JsonWriterLiteral, EveryByteNeedingAnEscapeIsFoundAtEveryPosition) {
  for (std::size_t length = 1; length <= 18; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 0x80; ++byte) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        std::string out;
        append_json(out, {{text, text}});
        ASSERT_EQ(out, nlohmann::json({{text, text}}).dump()) << length << " " << at << " " << byte;
      }
      std::string text(length + 1, 'a');
      text.replace(at, 2, "\xc3\xa9");
      std::string out;
      append_json(out, {{"k", text}});
      ASSERT_EQ(out, nlohmann::json({{"k", text}}).dump()) << length << " " << at;
    }
  }
}

TEST(JsonWriterLiteral, LongLiteralsMatchToo) {
  EXPECT_LITERAL_MATCHES({{"q", 1}, {"p", 2}, {"o", 3}, {"n", 4}, {"m", 5}, {"l", 6},
                          {"k", 7}, {"j", 8}, {"i", 9}, {"h", 10}, {"g", 11}, {"f", 12},
                          {"e", 13}, {"d", 14}, {"c", 15}, {"b", 16}, {"a", 17}, {"a", 18}});
}

TEST(JsonWriterLiteral, AnEmptyLiteralIsTheEmptyObjectAsNlohmannMakesIt) {
  std::string out;
  append_json(out, std::initializer_list<JsonField>{});
  EXPECT_EQ(out, "{}");
  EXPECT_EQ(out, nlohmann::json({}).dump());
}

TEST(JsonWriterLiteral, AppendsAfterWhatIsThere) {
  std::string out = "prefix ";
  append_json(out, {{"a", 1}});
  EXPECT_EQ(out, R"(prefix {"a":1})");
}

}  // namespace
}  // namespace pulsarcpp::detail
