#include "ws/frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace pulsarcpp::ws {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += char(v);
  return s;
}

HeaderParseResult parse(const std::string& wire, FrameHeader& h) {
  return parse_frame_header(wire.data(), wire.size(), h);
}

TEST(FrameHeader, ParsesTheRfc6455MaskedHelloExample) {
  const std::string wire =
      bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  FrameHeader h;
  ASSERT_EQ(parse(wire, h).status, HeaderStatus::complete);
  EXPECT_TRUE(h.fin);
  EXPECT_FALSE(h.rsv1 || h.rsv2 || h.rsv3);
  EXPECT_EQ(h.opcode, Opcode::text);
  EXPECT_TRUE(h.masked);
  EXPECT_EQ(h.payload_length, 5u);
  EXPECT_EQ(h.header_size, 6);
  EXPECT_EQ(h.mask, (MaskKey{0x37, 0xfa, 0x21, 0x3d}));
}

TEST(FrameHeader, ParsesFlagsAndRawOpcodes) {
  FrameHeader h;
  ASSERT_EQ(parse(bytes({0x7F, 0x00}), h).status, HeaderStatus::complete);
  EXPECT_FALSE(h.fin);
  EXPECT_TRUE(h.rsv1 && h.rsv2 && h.rsv3);
  EXPECT_EQ(static_cast<int>(h.opcode), 0xF);
  EXPECT_FALSE(h.masked);
  EXPECT_EQ(h.header_size, 2);
  ASSERT_EQ(parse(bytes({0x42, 0x00}), h).status, HeaderStatus::complete);
  EXPECT_TRUE(h.rsv1);
  EXPECT_FALSE(h.rsv2);
  EXPECT_FALSE(h.rsv3);
  EXPECT_EQ(h.opcode, Opcode::binary);
}

TEST(FrameHeader, SevenSixteenAndSixtyFourBitLengths) {
  FrameHeader h;
  ASSERT_EQ(parse(bytes({0x82, 0x7D}), h).status, HeaderStatus::complete);
  EXPECT_EQ(h.payload_length, 125u);
  ASSERT_EQ(parse(bytes({0x82, 0x7E, 0x00, 0x7E}), h).status, HeaderStatus::complete);
  EXPECT_EQ(h.payload_length, 126u);
  EXPECT_EQ(h.header_size, 4);
  ASSERT_EQ(parse(bytes({0x82, 0xFE, 0xFF, 0xFF, 1, 2, 3, 4}), h).status, HeaderStatus::complete);
  EXPECT_EQ(h.payload_length, 65535u);
  EXPECT_EQ(h.header_size, 8);
  EXPECT_EQ(h.mask, (MaskKey{1, 2, 3, 4}));
  ASSERT_EQ(parse(bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}), h).status, HeaderStatus::complete);
  EXPECT_EQ(h.payload_length, 65536u);
  EXPECT_EQ(h.header_size, 10);
  ASSERT_EQ(
      parse(bytes({0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 9, 8, 7, 6}), h)
          .status,
      HeaderStatus::complete);
  EXPECT_EQ(h.payload_length, 0x7FFFFFFFFFFFFFFFu);
  EXPECT_EQ(h.header_size, 14);
  EXPECT_EQ(h.mask, (MaskKey{9, 8, 7, 6}));
}

TEST(FrameHeader, NonMinimalLengthsAreProtocolErrors) {
  FrameHeader h;
  for (const std::string& wire : {bytes({0x82, 0x7E, 0x00, 0x00}),  // 0 in 16 bits
                                  bytes({0x82, 0x7E, 0x00, 0x7D}),  // 125 in 16 bits
                                  bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x7D}),
                                  bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF})}) {
    const HeaderParseResult r = parse(wire, h);
    EXPECT_EQ(r.status, HeaderStatus::error);
    EXPECT_EQ(r.close_code, 1002);
  }
}

TEST(FrameHeader, SixtyFourBitLengthWithTopBitIsAProtocolError) {
  FrameHeader h;
  const HeaderParseResult r = parse(bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}), h);
  EXPECT_EQ(r.status, HeaderStatus::error);
  EXPECT_EQ(r.close_code, 1002);
}

TEST(FrameHeader, EveryShorterPrefixIsIncomplete) {
  const std::string wire =
      bytes({0x82, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4});
  FrameHeader h;
  for (std::size_t n = 0; n < wire.size(); ++n) {
    EXPECT_EQ(parse_frame_header(wire.data(), n, h).status, HeaderStatus::incomplete) << n;
  }
  EXPECT_EQ(parse(wire, h).status, HeaderStatus::complete);
}

TEST(FrameHeader, HeaderSizeForLengths) {
  EXPECT_EQ(frame_header_size(0), 2u);
  EXPECT_EQ(frame_header_size(125), 2u);
  EXPECT_EQ(frame_header_size(126), 4u);
  EXPECT_EQ(frame_header_size(65535), 4u);
  EXPECT_EQ(frame_header_size(65536), 10u);
}

TEST(FrameHeader, OpcodeClassification) {
  EXPECT_TRUE(is_control(Opcode::close));
  EXPECT_TRUE(is_control(Opcode::ping));
  EXPECT_TRUE(is_control(Opcode::pong));
  EXPECT_FALSE(is_control(Opcode::text));
  EXPECT_FALSE(is_control(Opcode::continuation));
  for (int op = 0; op < 16; ++op) {
    const bool known = op <= 2 || (op >= 8 && op <= 10);
    EXPECT_EQ(is_known_opcode(static_cast<Opcode>(op)), known) << op;
  }
}

TEST(FrameWriter, WritesServerHeaders) {
  char out[kMaxServerFrameHeaderSize];
  EXPECT_EQ(write_frame_header(out, Opcode::text, true, false, 5), 2u);
  EXPECT_EQ(std::string(out, 2), bytes({0x81, 0x05}));
  EXPECT_EQ(write_frame_header(out, Opcode::binary, false, true, 126), 4u);
  EXPECT_EQ(std::string(out, 4), bytes({0x42, 0x7E, 0x00, 0x7E}));
  EXPECT_EQ(write_frame_header(out, Opcode::continuation, true, false, 65536), 10u);
  EXPECT_EQ(std::string(out, 10), bytes({0x80, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(write_frame_header(out, Opcode::ping, true, false, 0), 2u);
  EXPECT_EQ(std::string(out, 2), bytes({0x89, 0x00}));
}

TEST(FrameWriter, HeadersRoundTripThroughTheParser) {
  const std::uint64_t lengths[] = {
      0, 1, 125, 126, 127, 65535, 65536, 1u << 31, 0x7FFFFFFFFFFFFFFFu};
  for (std::uint64_t length : lengths) {
    for (Opcode op : {Opcode::continuation, Opcode::text, Opcode::binary, Opcode::close}) {
      for (int flags = 0; flags < 4; ++flags) {
        const bool fin = flags & 1;
        const bool rsv1 = flags & 2;
        char out[kMaxServerFrameHeaderSize];
        const std::size_t n = write_frame_header(out, op, fin, rsv1, length);
        EXPECT_EQ(n, frame_header_size(length));
        FrameHeader h;
        ASSERT_EQ(parse_frame_header(out, n, h).status, HeaderStatus::complete) << length;
        EXPECT_EQ(h.payload_length, length);
        EXPECT_EQ(h.opcode, op);
        EXPECT_EQ(h.fin, fin);
        EXPECT_EQ(h.rsv1, rsv1);
        EXPECT_FALSE(h.masked);
        EXPECT_EQ(h.header_size, n);
      }
    }
  }
}

TEST(FrameWriter, AppendFrameAppendsHeaderAndPayload) {
  std::string out = "prefix";
  append_frame(out, Opcode::text, "Hello");
  EXPECT_EQ(out, "prefix" + bytes({0x81, 0x05}) + "Hello");
  std::string big;
  append_frame(big, Opcode::binary, std::string(300, 'z'), false);
  ASSERT_EQ(big.size(), 304u);
  EXPECT_EQ(big.substr(0, 4), bytes({0x02, 0x7E, 0x01, 0x2C}));
}

TEST(FrameWriter, AppendMaskedFrameMatchesTheRfcExample) {
  std::string out;
  append_masked_frame(out, Opcode::text, "Hello", MaskKey{0x37, 0xfa, 0x21, 0x3d});
  EXPECT_EQ(out, bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

TEST(FrameWriter, MaskedFrameWithLongPayloadParsesAndUnmasks) {
  const std::string payload(70000, 'p');
  std::string out;
  append_masked_frame(out, Opcode::binary, payload, MaskKey{1, 2, 3, 4}, true, true);
  FrameHeader h;
  ASSERT_EQ(parse(out, h).status, HeaderStatus::complete);
  EXPECT_EQ(h.header_size, 14);
  EXPECT_EQ(h.payload_length, payload.size());
  EXPECT_TRUE(h.rsv1);
  std::string body = out.substr(h.header_size);
  apply_mask(body.data(), body.size(), h.mask, 0);
  EXPECT_EQ(body, payload);
}

}  // namespace
}  // namespace pulsarcpp::ws
