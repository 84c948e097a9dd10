#include "http/chunked_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace pulsarcpp::http {
namespace {

using Status = ChunkedDecoder::Status;
using namespace std::string_literals;

constexpr std::size_t kDefaultMaxBody = 1024 * 1024;

struct Decoded {
  Status status = Status::incomplete;
  std::string body;
  std::size_t consumed = 0;
  int error_status = 0;
};

// Decodes `input` given in one piece.
Decoded decode_all(std::string input, std::size_t max_body = kDefaultMaxBody) {
  ChunkedDecoder decoder(max_body);
  const ChunkedDecoder::Result r = decoder.decode(input.data(), input.size());
  return {r.status, input.substr(0, r.decoded), r.consumed, r.error_status};
}

// Feeds `input` in pieces cut at `cuts`, moving the buffer to a new allocation before each call
// as a growing read buffer would.
Decoded decode_in_pieces(std::string_view input, const std::vector<std::size_t>& cuts,
                         std::size_t max_body = kDefaultMaxBody) {
  ChunkedDecoder decoder(max_body);
  std::vector<char> buffer;
  ChunkedDecoder::Result r;
  std::size_t fed = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    std::vector<char> moved(buffer.begin(), buffer.end());
    moved.insert(moved.end(), input.begin() + static_cast<std::ptrdiff_t>(fed),
                 input.begin() + static_cast<std::ptrdiff_t>(end));
    buffer = std::move(moved);
    fed = end;
    r = decoder.decode(buffer.data(), buffer.size());
    if (r.status != Status::incomplete) break;
  }
  return {r.status, std::string(buffer.data(), r.decoded), r.consumed, r.error_status};
}

void expect_body(std::string_view input, std::string_view body) {
  const Decoded d = decode_all(std::string(input));
  ASSERT_EQ(d.status, Status::complete) << testing::PrintToString(std::string(input));
  EXPECT_EQ(d.body, body);
  EXPECT_EQ(d.consumed, input.size());
}

int error_of(std::string input, std::size_t max_body = kDefaultMaxBody) {
  const Decoded d = decode_all(std::move(input), max_body);
  return d.status == Status::error ? d.error_status : (d.status == Status::complete ? 0 : -1);
}

const std::string kSample =
    "4\r\nWiki\r\n"
    "5;name=value\r\npedia\r\n"
    "E ; a ; b = \"q \\\" s\"\r\n in\r\n\r\nchunks.\r\n"
    "0;last\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n";
const std::string kSampleBody = "Wikipedia in\r\n\r\nchunks.";

// ---- Valid input ----

TEST(ChunkedDecoderTest, DecodesSingleChunk) {
  expect_body("5\r\nhello\r\n0\r\n\r\n", "hello");
}

TEST(ChunkedDecoderTest, DecodesSeveralChunksWithExtensionsAndTrailers) {
  expect_body(kSample, kSampleBody);
}

TEST(ChunkedDecoderTest, ZeroLengthBody) {
  const Decoded d = decode_all("0\r\n\r\n");
  ASSERT_EQ(d.status, Status::complete);
  EXPECT_EQ(d.body, "");
  EXPECT_EQ(d.consumed, 5u);
}

TEST(ChunkedDecoderTest, HexDigitsInBothCases) {
  const std::string ten(10, 'x');
  const std::string twenty_six(26, 'y');
  expect_body("a\r\n" + ten + "\r\n1A\r\n" + twenty_six + "\r\n0\r\n\r\n", ten + twenty_six);
  expect_body("0000000000000003\r\nabc\r\n0\r\n\r\n", "abc");  // 16 digits are allowed
  expect_body("000\r\n\r\n", "");
}

TEST(ChunkedDecoderTest, ValidExtensions) {
  for (std::string_view ext :
       {";a", ";a=b", ";a=\"\"", ";a=\"x y\"", "; a = b", "\t;\ta\t=\t\"\\\\\"", ";a;b;c=d",
        ";a=\"semi;colon,comma\"", ";x=\"obs\xE9text\""}) {
    expect_body("3" + std::string(ext) + "\r\nabc\r\n0" + std::string(ext) + "\r\n\r\n", "abc");
  }
}

TEST(ChunkedDecoderTest, LargeChunk) {
  const std::string data(300000, 'z');
  const std::string input = "493e0\r\n" + data + "\r\n0\r\n\r\n";
  expect_body(input, data);
  // The limit is cumulative and inclusive.
  EXPECT_EQ(error_of(input, data.size()), 0);
  EXPECT_EQ(error_of(input, data.size() - 1), 413);
}

TEST(ChunkedDecoderTest, CumulativeBodyOverLimitIs413) {
  EXPECT_EQ(error_of("4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n", 8), 0);
  EXPECT_EQ(error_of("4\r\nabcd\r\n5\r\nefghi\r\n0\r\n\r\n", 8), 413);
  // Known from the size line alone: no need to wait for the data.
  EXPECT_EQ(error_of("4\r\nabcd\r\n5\r\n", 8), 413);
  EXPECT_EQ(error_of("FFFFFFFFFFFFFFFF\r\n"), 413);
}

TEST(ChunkedDecoderTest, LeavesPipelinedBytesAlone) {
  std::string input = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
  ChunkedDecoder decoder(100);
  const ChunkedDecoder::Result r = decoder.decode(input.data(), input.size());
  ASSERT_EQ(r.status, Status::complete);
  EXPECT_EQ(r.consumed, 13u);
  EXPECT_EQ(input.substr(0, r.decoded), "abc");
  EXPECT_EQ(input.substr(r.consumed), "GET / HTTP/1.1\r\n");
}

TEST(ChunkedDecoderTest, PartialDataIsDecodedAsItArrives) {
  std::string input = "a\r\n0123";
  ChunkedDecoder decoder(100);
  ChunkedDecoder::Result r = decoder.decode(input.data(), input.size());
  EXPECT_EQ(r.status, Status::incomplete);
  EXPECT_EQ(r.decoded, 4u);
  EXPECT_EQ(input.substr(0, 4), "0123");
  input += "456789\r\n0\r\n\r\n";
  r = decoder.decode(input.data(), input.size());
  ASSERT_EQ(r.status, Status::complete);
  EXPECT_EQ(input.substr(0, r.decoded), "0123456789");
}

TEST(ChunkedDecoderTest, FinalStatesAreSticky) {
  std::string ok = "1\r\nx\r\n0\r\n\r\n";
  ChunkedDecoder decoder(100);
  ASSERT_EQ(decoder.decode(ok.data(), ok.size()).status, Status::complete);
  const ChunkedDecoder::Result again = decoder.decode(ok.data(), ok.size());
  EXPECT_EQ(again.status, Status::complete);
  EXPECT_EQ(again.consumed, ok.size());
  EXPECT_EQ(again.decoded, 1u);

  std::string bad = "z\r\n";
  ChunkedDecoder failing(100);
  ASSERT_EQ(failing.decode(bad.data(), bad.size()).status, Status::error);
  bad += "1\r\nx\r\n0\r\n\r\n";
  const ChunkedDecoder::Result still = failing.decode(bad.data(), bad.size());
  EXPECT_EQ(still.status, Status::error);
  EXPECT_EQ(still.error_status, 400);
}

TEST(ChunkedDecoderTest, ResetAllowsReuse) {
  ChunkedDecoder decoder(100);
  std::string bad = "x";
  ASSERT_EQ(decoder.decode(bad.data(), bad.size()).status, Status::error);
  decoder.reset();
  std::string ok = "2\r\nhi\r\n0\r\n\r\n";
  const ChunkedDecoder::Result r = decoder.decode(ok.data(), ok.size());
  ASSERT_EQ(r.status, Status::complete);
  EXPECT_EQ(ok.substr(0, r.decoded), "hi");
}

// ---- Split input ----

TEST(ChunkedDecoderSplitTest, EverySplitPositionGivesTheSameBody) {
  for (std::size_t cut = 0; cut <= kSample.size(); ++cut) {
    const Decoded d = decode_in_pieces(kSample, {cut});
    ASSERT_EQ(d.status, Status::complete) << "cut at " << cut;
    EXPECT_EQ(d.body, kSampleBody) << "cut at " << cut;
    EXPECT_EQ(d.consumed, kSample.size()) << "cut at " << cut;
  }
}

TEST(ChunkedDecoderSplitTest, ByteByByteGivesTheSameBody) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < kSample.size(); ++i) cuts.push_back(i);
  const Decoded d = decode_in_pieces(kSample, cuts);
  ASSERT_EQ(d.status, Status::complete);
  EXPECT_EQ(d.body, kSampleBody);
  EXPECT_EQ(d.consumed, kSample.size());
}

TEST(ChunkedDecoderSplitTest, IncompleteUntilTheLastByte) {
  for (std::size_t n = 0; n < kSample.size(); ++n) {
    EXPECT_EQ(error_of(kSample.substr(0, n)), -1) << "prefix " << n;
  }
}

TEST(ChunkedDecoderSplitTest, ErrorsAreTheSameWhenSplit) {
  const std::string bad = "3\r\nabc\r\n4\r\nabcdX\r\n0\r\n\r\n";
  for (std::size_t cut = 0; cut <= bad.size(); ++cut) {
    const Decoded d = decode_in_pieces(bad, {cut});
    EXPECT_EQ(d.status, Status::error) << "cut at " << cut;
    EXPECT_EQ(d.error_status, 400) << "cut at " << cut;
  }
}

// ---- Rejections ----

TEST(ChunkedDecoderRejectTest, BadChunkSizes) {
  for (std::string size : {"", " 5", "\t5", "+5", "-5", "0x5", "5 ", "g", "5g", "00000000000000005",
                           "10000000000000000"}) {
    EXPECT_EQ(error_of(size + "\r\nhello\r\n0\r\n\r\n"), 400) << testing::PrintToString(size);
  }
}

TEST(ChunkedDecoderRejectTest, BadExtensions) {
  for (std::string ext :
       {";", "; ", ";=x", ";a=", ";a= ", ";a b", ";a=b c", ";a=\"x", ";a=\"\x01\"", ";a=b;", ";a ",
        ",a", ";a=\"x\"y", ";a=\"\\\x01\"", ";a\x7F"}) {
    EXPECT_EQ(error_of("5" + ext + "\r\nhello\r\n0\r\n\r\n"), 400) << testing::PrintToString(ext);
  }
}

TEST(ChunkedDecoderRejectTest, BadLineEndings) {
  EXPECT_EQ(error_of("5\nhello\r\n0\r\n\r\n"), 400);     // bare LF after size
  EXPECT_EQ(error_of("5\rhello\r\n0\r\n\r\n"), 400);     // bare CR after size
  EXPECT_EQ(error_of("5\r\nhelloX\r\n0\r\n\r\n"), 400);  // data longer than announced
  EXPECT_EQ(error_of("5\r\nhello\n0\r\n\r\n"), 400);     // LF without CR after data
  EXPECT_EQ(error_of("5\r\nhello\rX0\r\n\r\n"), 400);    // CR without LF after data
  EXPECT_EQ(error_of("5\r\nhell\r\n0\r\n\r\n"), 400);    // data shorter than announced
  EXPECT_EQ(error_of("0\r\n\n"), 400);                   // bare LF ending the trailers
  EXPECT_EQ(error_of("0\r\nX: y\n\r\n"), 400);           // bare LF after a trailer
  EXPECT_EQ(error_of("\r\n"), 400);                      // empty size line
}

TEST(ChunkedDecoderRejectTest, BadTrailers) {
  for (std::string trailer : {"no colon"s, " X: folded"s, "\tX: y"s, "X : y"s, ": y"s, "X(: y"s,
                              "X: a\0b"s, "X: a\x01"s, "X: a\rb"s, "X: \x7F"s}) {
    EXPECT_EQ(error_of("0\r\n" + trailer + "\r\n\r\n"), 400) << testing::PrintToString(trailer);
  }
}

TEST(ChunkedDecoderRejectTest, UnboundedSizeLineIs400) {
  // A valid-looking extension that never ends: refused once past 16 KiB, not buffered forever.
  const std::string line = "5;a=" + std::string(16 * 1024, 'b');
  EXPECT_EQ(error_of(line), 400);
  EXPECT_EQ(error_of(line.substr(0, 16 * 1024)), -1);
  // The same line, ended, is over the bound too.
  EXPECT_EQ(error_of(line + "\r\nhello\r\n0\r\n\r\n"), 400);
  // A long but bounded extension is fine.
  EXPECT_EQ(error_of("5;a=" + std::string(8000, 'b') + "\r\nhello\r\n0\r\n\r\n"), 0);
}

TEST(ChunkedDecoderRejectTest, UnboundedTrailerSectionIs400) {
  std::string trailers;
  while (trailers.size() <= 16 * 1024) trailers += "X-Pad: 0123456789abcdef\r\n";
  EXPECT_EQ(error_of("0\r\n" + trailers + "\r\n"), 400);
  EXPECT_EQ(error_of("0\r\n" + trailers), 400);  // reported before the section ends
  EXPECT_EQ(error_of("0\r\nX: " + std::string(17 * 1024, 'v')), 400);
  EXPECT_EQ(error_of("0\r\nX-Small: 1\r\nY: 2\r\n\r\n"), 0);
}

TEST(ChunkedDecoderRejectTest, GarbageFailsAtOnce) {
  EXPECT_EQ(error_of("z"), 400);
  EXPECT_EQ(error_of("5\r\nhello\r\n;"), 400);
  EXPECT_EQ(error_of("0\r\n "), 400);
}

}  // namespace
}  // namespace pulsarcpp::http
