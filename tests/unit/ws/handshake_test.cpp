#include "ws/handshake.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace pulsarcpp::ws {
namespace {

TEST(Handshake, AcceptKeyOfTheRfc6455Example) {
  EXPECT_EQ(compute_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, WriteAcceptKeyWritesExactly28Bytes) {
  std::array<char, kAcceptKeySize + 2> out;
  out.fill('#');
  ASSERT_TRUE(write_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out.data()));
  EXPECT_EQ(std::string(out.data(), kAcceptKeySize), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(out[kAcceptKeySize], '#');
  EXPECT_EQ(out[kAcceptKeySize + 1], '#');
}

TEST(Handshake, AcceptKeyOfOtherKeys) {
  // Computed independently (Python: base64(sha1(key + GUID))).
  EXPECT_EQ(compute_accept_key("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
  EXPECT_EQ(compute_accept_key("").size(), kAcceptKeySize);
  EXPECT_NE(compute_accept_key("AAAAAAAAAAAAAAAAAAAAAA=="),
            compute_accept_key("AAAAAAAAAAAAAAAAAAAAAQ=="));
}

TEST(Handshake, ValidClientKeys) {
  EXPECT_TRUE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_TRUE(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_TRUE(is_valid_client_key("+/+/+/+/+/+/+/+/+/+/+w=="));
  EXPECT_TRUE(is_valid_client_key("x3JJHMbDL1EzLkh9GBhXDw=="));
}

TEST(Handshake, InvalidClientKeys) {
  EXPECT_FALSE(is_valid_client_key(""));
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));    // 23 chars
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ==="));  // 25 chars
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQAA"));   // 18 bytes, no padding
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ=A="));   // padding in the middle
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ-=="));   // base64url alphabet
  EXPECT_FALSE(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ =="));
  EXPECT_FALSE(is_valid_client_key(" GhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_FALSE(is_valid_client_key(std::string("dGhlIHNhbXBsZSBub25j\0Q==", 24)));
  EXPECT_FALSE(is_valid_client_key("ZGZnaGprbGRmZ2hqa2xkZmdoams="));  // 20 bytes
}

TEST(Handshake, SubprotocolFollowsServerPreference) {
  const std::vector<std::string_view> server = {"v2.chat", "chat"};
  EXPECT_EQ(select_subprotocol("chat, v2.chat", server), "v2.chat");
  EXPECT_EQ(select_subprotocol("chat", server), "chat");
  EXPECT_EQ(select_subprotocol("superchat,chat", server), "chat");
}

TEST(Handshake, SubprotocolListSyntax) {
  const std::vector<std::string_view> server = {"mqtt"};
  EXPECT_EQ(select_subprotocol("  mqtt  ", server), "mqtt");
  EXPECT_EQ(select_subprotocol("a,\tmqtt\t,b", server), "mqtt");
  EXPECT_EQ(select_subprotocol(",,mqtt,,", server), "mqtt");
  EXPECT_EQ(select_subprotocol("mqttv5", server), std::nullopt);  // whole elements only
  EXPECT_EQ(select_subprotocol("mqt", server), std::nullopt);
  EXPECT_EQ(select_subprotocol("MQTT", server), std::nullopt);  // case-sensitive
  EXPECT_EQ(select_subprotocol("", server), std::nullopt);
  EXPECT_EQ(select_subprotocol("m qtt", server), std::nullopt);
}

TEST(Handshake, SubprotocolEdgeCases) {
  EXPECT_EQ(select_subprotocol("chat", std::span<const std::string_view>{}), std::nullopt);
  const std::vector<std::string_view> with_empty = {"", "chat"};
  EXPECT_EQ(select_subprotocol(", chat", with_empty), "chat");  // an empty name never matches
  const std::vector<std::string> owned = {"graphql-ws", "graphql-transport-ws"};
  const auto chosen = select_subprotocol("graphql-transport-ws", owned);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(*chosen, "graphql-transport-ws");
  EXPECT_EQ(chosen->data(), owned[1].data());  // a view into the server's list
}

}  // namespace
}  // namespace pulsarcpp::ws
