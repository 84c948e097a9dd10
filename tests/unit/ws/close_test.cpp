#include "ws/close.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ws/frame.hpp"

namespace pulsarcpp::ws {
namespace {

std::string code_bytes(unsigned code) {
  return std::string{char(code >> 8), char(code & 0xFF)};
}

TEST(CloseCode, TableOfValidCodes) {
  const std::set<unsigned> valid_below_3000 = {1000, 1001, 1002, 1003, 1007, 1008,
                                               1009, 1010, 1011, 1012, 1013, 1014};
  for (unsigned code = 0; code <= 0xFFFF; ++code) {
    const bool expected = valid_below_3000.count(code) != 0 || (code >= 3000 && code <= 4999);
    ASSERT_EQ(is_valid_close_code(static_cast<std::uint16_t>(code)), expected) << code;
  }
}

TEST(CloseCode, AutobahnCases) {
  // 7.7.x must be accepted, 7.9.x must be refused.
  for (unsigned code :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
    EXPECT_TRUE(is_valid_close_code(static_cast<std::uint16_t>(code))) << code;
  }
  for (unsigned code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    EXPECT_FALSE(is_valid_close_code(static_cast<std::uint16_t>(code))) << code;
  }
}

TEST(ClosePayload, EmptyMeansNoStatus) {
  const ClosePayload p = parse_close_payload("");
  EXPECT_EQ(p.error, 0);
  EXPECT_EQ(p.code, 1005);
  EXPECT_TRUE(p.reason.empty());
}

TEST(ClosePayload, OneByteIsAProtocolError) {
  EXPECT_EQ(parse_close_payload("\x03").error, 1002);
}

TEST(ClosePayload, CodeAndReason) {
  const std::string payload = code_bytes(1000) + "bye \xE2\x82\xAC";
  const ClosePayload p = parse_close_payload(payload);
  EXPECT_EQ(p.error, 0);
  EXPECT_EQ(p.code, 1000);
  EXPECT_EQ(p.reason, "bye \xE2\x82\xAC");
  EXPECT_EQ(p.reason.data(), payload.data() + 2);
  const ClosePayload q = parse_close_payload(code_bytes(4321));
  EXPECT_EQ(q.error, 0);
  EXPECT_EQ(q.code, 4321);
  EXPECT_TRUE(q.reason.empty());
}

TEST(ClosePayload, InvalidCodesAreProtocolErrors) {
  for (unsigned code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
    EXPECT_EQ(parse_close_payload(code_bytes(code) + "x").error, 1002) << code;
  }
}

TEST(ClosePayload, ReasonMustBeUtf8) {
  // Autobahn 7.5.1: a reason containing a surrogate.
  const std::string reason = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64";
  EXPECT_EQ(parse_close_payload(code_bytes(1000) + reason).error, 1007);
  EXPECT_EQ(parse_close_payload(code_bytes(1000) + "\xC3").error, 1007);  // cut sequence
}

TEST(ClosePayload, WriteCodeAndReason) {
  char out[kMaxControlPayload];
  const std::size_t n = write_close_payload(out, 1001, "going away");
  EXPECT_EQ(std::string(out, n), code_bytes(1001) + "going away");
}

TEST(ClosePayload, WriteNoStatusIsEmpty) {
  char out[kMaxControlPayload];
  EXPECT_EQ(write_close_payload(out, 1005, "ignored"), 0u);
  EXPECT_EQ(write_close_payload(out, 0, ""), 0u);
}

TEST(ClosePayload, ReasonIsCutTo123BytesOnACharacterBoundary) {
  char out[kMaxControlPayload];
  const std::string ascii(200, 'r');
  EXPECT_EQ(write_close_payload(out, 1000, ascii), 125u);
  // 122 ASCII bytes then a 3-byte character that would end at byte 125: it is dropped whole.
  const std::string mixed = std::string(122, 'a') + "\xE2\x82\xAC" + "tail";
  const std::size_t n = write_close_payload(out, 1000, mixed);
  EXPECT_EQ(n, 2u + 122u);
  EXPECT_TRUE(parse_close_payload(std::string_view(out, n)).error == 0);
  // Exactly 123 bytes fit.
  const std::string exact = std::string(120, 'a') + "\xE2\x82\xAC";
  EXPECT_EQ(write_close_payload(out, 1000, exact), 125u);
}

TEST(ClosePayload, AppendCloseFrame) {
  std::string out;
  append_close_frame(out, 1000, "ok");
  EXPECT_EQ(out, std::string("\x88\x04", 2) + code_bytes(1000) + "ok");
  out.clear();
  append_close_frame(out, 1005, "");
  EXPECT_EQ(out, std::string("\x88\x00", 2));
  out.clear();
  append_close_frame(out, 1000, std::string(500, 'x'));
  EXPECT_EQ(out.size(), 2u + 125u);
}

}  // namespace
}  // namespace pulsarcpp::ws
