#include "http/path.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pulsarcpp::http {
namespace {

// The normal form of `path`: itself when normalize_path says it is normal already.
std::string normal(std::string_view path) {
  std::string out = "stale";
  switch (normalize_path(path, out)) {
    case PathForm::normal:
      return std::string(path);
    case PathForm::normalized:
      EXPECT_NE(out, path) << "normalized must mean changed";
      return out;
    case PathForm::malformed:
      ADD_FAILURE() << "malformed: " << path;
      return "";
  }
  return "";
}

TEST(NormalizePath, NormalPathsAreLeftAlone) {
  std::string out = "untouched";
  for (std::string_view path : {"/", "/users", "/users/42", "/a.b/c..d/e./f.", "/~user/-_",
                                "/a-rather-long/path/with/many/segments/in/it.json"}) {
    EXPECT_EQ(normalize_path(path, out), PathForm::normal) << path;
  }
  EXPECT_EQ(out, "untouched");  // the common case writes nothing
  // A segment that starts with a dot takes the exact check, and is normal too.
  for (std::string_view path : {"/.well-known/x", "/a/.e", "/a/..b", "/a/.../b"}) {
    EXPECT_EQ(normalize_path(path, out), PathForm::normal) << path;
  }
}

TEST(NormalizePath, MergesRepeatedSlashesAndDropsTheTrailingOne) {
  EXPECT_EQ(normal("//"), "/");
  EXPECT_EQ(normal("//api/rooms"), "/api/rooms");
  EXPECT_EQ(normal("/api//rooms"), "/api/rooms");
  EXPECT_EQ(normal("/api/rooms/"), "/api/rooms");
  EXPECT_EQ(normal("/api///rooms///"), "/api/rooms");
}

TEST(NormalizePath, ResolvesDotSegmentsNeverAboveTheRoot) {
  EXPECT_EQ(normal("/./api"), "/api");
  EXPECT_EQ(normal("/a/../b"), "/b");
  EXPECT_EQ(normal("/a/b/../../c"), "/c");
  EXPECT_EQ(normal("/.."), "/");
  EXPECT_EQ(normal("/../../private"), "/private");
  EXPECT_EQ(normal("/a/."), "/a");
  EXPECT_EQ(normal("/a/.."), "/");
  EXPECT_EQ(normal("/a/b/.."), "/a");
  // Slashes merge first, as nginx does: ".." removes the segment before it, not an empty one.
  EXPECT_EQ(normal("/a//../b"), "/b");
  // Dots inside a segment are ordinary characters.
  EXPECT_EQ(normal("/a/.../b"), "/a/.../b");
  EXPECT_EQ(normal("/a/..b/"), "/a/..b");
}

TEST(NormalizePath, DecodesUnreservedEscapesOnly) {
  EXPECT_EQ(normal("/%61pi"), "/api");
  EXPECT_EQ(normal("/%7Euser"), "/~user");
  EXPECT_EQ(normal("/%41%5a%30%2D%5F"), "/AZ0-_");
  EXPECT_EQ(normal("/a%20b"), "/a%20b");  // already normal: nothing changes
  EXPECT_EQ(normal("/a%2fb"), "/a%2Fb");  // other escapes get upper-case hex
  EXPECT_EQ(normal("/caf%c3%a9"), "/caf%C3%A9");
  EXPECT_EQ(normal("/%25"), "/%25");      // an encoded '%' stays encoded
  EXPECT_EQ(normal("/%2541"), "/%2541");  // and is decoded once only
}

TEST(NormalizePath, EncodedDotsAreDotSegments) {
  EXPECT_EQ(normal("/%2e%2e/private"), "/private");
  EXPECT_EQ(normal("/%2E%2E/private"), "/private");
  EXPECT_EQ(normal("/api/%2e/rooms"), "/api/rooms");
  EXPECT_EQ(normal("/a/.%2e/b"), "/b");
}

TEST(NormalizePath, AnEncodedSlashIsNeverASeparator) {
  EXPECT_EQ(normal("/a%2F..%2Fb"), "/a%2F..%2Fb");
  EXPECT_EQ(normal("/a/%2F/b"), "/a/%2F/b");
  EXPECT_EQ(normal("/%2F%2F"), "/%2F%2F");
}

TEST(NormalizePath, MalformedEscapesAreRefused) {
  std::string out;
  for (std::string_view path : {"/%", "/a%2", "/%zz", "/%g0", "/a/%2/b", "/%%41"}) {
    EXPECT_EQ(normalize_path(path, out), PathForm::malformed) << path;
  }
}

TEST(NormalizePath, TheNormalFormIsNormal) {
  for (std::string_view path : {"//a/./b/../c/", "/%2e%2E/%7e/x%2f", "/a/b/../../..", "/./"}) {
    const std::string once = normal(path);
    std::string out;
    EXPECT_EQ(normalize_path(once, out), PathForm::normal) << path << " -> " << once;
  }
}

TEST(HasDotSegment, FindsDotSegmentsEncodedOrNot) {
  EXPECT_TRUE(has_dot_segment("/a/../b"));
  EXPECT_TRUE(has_dot_segment("/a/."));
  EXPECT_TRUE(has_dot_segment("/./a"));
  EXPECT_TRUE(has_dot_segment("/a/%2e%2E"));
  EXPECT_FALSE(has_dot_segment("/a/.b/..c/b."));
  EXPECT_FALSE(has_dot_segment("/users/:id/*"));
  EXPECT_FALSE(has_dot_segment("/"));
}

}  // namespace
}  // namespace pulsarcpp::http
