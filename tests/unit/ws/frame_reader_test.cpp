#include "ws/frame_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws/close.hpp"
#include "ws/deflate.hpp"
#include "ws/frame.hpp"

namespace pulsarcpp::ws {
namespace {

using Kind = ReadEvent::Kind;

const MaskKey kKey{0x11, 0x22, 0x33, 0x44};

struct Recorded {
  Kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const Recorded&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Recorded& r) {
  return os << "{kind " << int(r.kind) << ", " << testing::PrintToString(r.payload) << ", "
            << r.code << "}";
}

Recorded text(std::string s) {
  return {Kind::text, std::move(s), 0};
}
Recorded binary(std::string s) {
  return {Kind::binary, std::move(s), 0};
}
Recorded ping(std::string s) {
  return {Kind::ping, std::move(s), 0};
}
Recorded pong(std::string s) {
  return {Kind::pong, std::move(s), 0};
}
Recorded close_event(std::uint16_t code, std::string reason = {}) {
  return {Kind::close, std::move(reason), code};
}
Recorded error(std::uint16_t code) {
  return {Kind::error, {}, code};
}

// A client frame with arbitrary header bits (masked unless told otherwise).
std::string frame(int opcode, std::string_view payload, bool fin = true, bool rsv1 = false,
                  int extra_rsv = 0, bool masked = true) {
  std::string out;
  if (masked) {
    append_masked_frame(out, static_cast<Opcode>(opcode), payload, kKey, fin, rsv1);
  } else {
    append_frame(out, static_cast<Opcode>(opcode), payload, fin, rsv1);
  }
  out[0] = char(out[0] | extra_rsv);
  return out;
}

std::string close_frame(std::uint16_t code, std::string_view reason = {}) {
  std::string payload{char(code >> 8), char(code & 0xFF)};
  payload += reason;
  return frame(0x8, payload);
}

// Plays a connection: appends each chunk to a buffer, reads events until need_more, and
// drops consumed bytes, as the connection layer will.
class Feeder {
 public:
  explicit Feeder(FrameReader& reader) : reader_(reader) {}

  void feed(std::string_view chunk) {
    buffer_ += chunk;
    for (;;) {
      const ReadEvent ev = reader_.read(std::span<char>(buffer_.data(), buffer_.size()));
      EXPECT_LE(ev.consumed, buffer_.size());
      if (ev.kind == Kind::need_more) {
        buffer_.erase(0, ev.consumed);
        return;
      }
      events.push_back({ev.kind, std::string(ev.payload), ev.close_code});
      buffer_.erase(0, ev.consumed);
      if (ev.kind == Kind::error) return;
    }
  }

  std::size_t buffered() const { return buffer_.size(); }
  std::vector<Recorded> events;

 private:
  FrameReader& reader_;
  std::string buffer_;
};

std::vector<Recorded> read_all(std::string_view wire, FrameReaderOptions options = {},
                               Inflater* inflater = nullptr) {
  FrameReader reader(options, inflater);
  Feeder feeder(reader);
  feeder.feed(wire);
  return feeder.events;
}

std::vector<Recorded> read_in_pieces(std::string_view wire, const std::vector<std::size_t>& cuts,
                                     FrameReaderOptions options = {},
                                     Inflater* inflater = nullptr) {
  FrameReader reader(options, inflater);
  Feeder feeder(reader);
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    feeder.feed(wire.substr(start, cut - start));
    start = cut;
  }
  feeder.feed(wire.substr(start));
  return feeder.events;
}

using Events = std::vector<Recorded>;

// --- Data frames -----------------------------------------------------------------------------

TEST(FrameReader, SingleTextFrame) {
  EXPECT_EQ(read_all(frame(0x1, "Hello")), Events{text("Hello")});
}

TEST(FrameReader, Rfc6455MaskedExample) {
  const std::string wire = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
  EXPECT_EQ(read_all(wire), Events{text("Hello")});
}

TEST(FrameReader, SingleFrameInTheBufferIsAViewIntoIt) {
  std::string wire = frame(0x2, "zero-copy");
  FrameReader reader;
  const ReadEvent ev = reader.read(std::span<char>(wire.data(), wire.size()));
  ASSERT_EQ(ev.kind, Kind::binary);
  EXPECT_EQ(ev.payload, "zero-copy");
  EXPECT_EQ(ev.payload.data(), wire.data() + 6);
  EXPECT_EQ(ev.consumed, wire.size());
  const ReadEvent next = reader.read(std::span<char>(wire.data() + ev.consumed, 0));
  EXPECT_EQ(next.kind, Kind::need_more);
  EXPECT_EQ(next.consumed, 0u);
}

TEST(FrameReader, OneEventPerCallConsumedAdvances) {
  std::string wire = frame(0x1, "a") + frame(0x2, "bc") + frame(0x9, "p");
  FrameReader reader;
  std::span<char> input(wire.data(), wire.size());
  ReadEvent ev = reader.read(input);
  EXPECT_EQ(ev.kind, Kind::text);
  EXPECT_EQ(ev.consumed, 7u);
  input = input.subspan(ev.consumed);
  ev = reader.read(input);
  EXPECT_EQ(ev.kind, Kind::binary);
  EXPECT_EQ(ev.payload, "bc");
  input = input.subspan(ev.consumed);
  ev = reader.read(input);
  EXPECT_EQ(ev.kind, Kind::ping);
  EXPECT_EQ(ev.consumed, input.size());
}

TEST(FrameReader, EmptyMessages) {
  EXPECT_EQ(read_all(frame(0x1, "") + frame(0x2, "")), (Events{text(""), binary("")}));
}

TEST(FrameReader, SevenSixteenAndSixtyFourBitLengths) {
  for (std::size_t size : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
    const std::string payload(size, char('a' + size % 26));
    const std::string wire = frame(0x2, payload);
    EXPECT_EQ(wire.size() - payload.size(), frame_header_size(size) + 4) << size;
    EXPECT_EQ(read_all(wire), Events{binary(payload)}) << size;
  }
}

TEST(FrameReader, BinaryPayloadIsUnmaskedExactly) {
  std::string payload;
  for (int i = 0; i < 1000; ++i) payload += char(i * 7);
  EXPECT_EQ(read_all(frame(0x2, payload)), Events{binary(payload)});
}

// --- Fragmentation ---------------------------------------------------------------------------

TEST(FrameReader, FragmentedTextMessage) {
  const std::string wire =
      frame(0x1, "Hel", false) + frame(0x0, "lo, ", false) + frame(0x0, "world");
  EXPECT_EQ(read_all(wire), Events{text("Hello, world")});
}

TEST(FrameReader, ControlFramesBetweenFragments) {
  const std::string wire = frame(0x1, "fra", false) + frame(0x9, "ping!") +
                           frame(0x0, "gmen", false) + frame(0xA, "pong!") + frame(0x0, "ted");
  EXPECT_EQ(read_all(wire), (Events{ping("ping!"), pong("pong!"), text("fragmented")}));
}

TEST(FrameReader, EmptyFragments) {
  const std::string wire =
      frame(0x2, "", false) + frame(0x0, "", false) + frame(0x0, "x", false) + frame(0x0, "");
  EXPECT_EQ(read_all(wire), Events{binary("x")});
}

TEST(FrameReader, InMessageTracksOpenMessages) {
  std::string wire = frame(0x1, "a", false);
  FrameReader reader;
  EXPECT_FALSE(reader.in_message());
  EXPECT_EQ(reader.read(std::span<char>(wire.data(), wire.size())).kind, Kind::need_more);
  EXPECT_TRUE(reader.in_message());
  std::string last = frame(0x0, "b");
  EXPECT_EQ(reader.read(std::span<char>(last.data(), last.size())).kind, Kind::text);
  EXPECT_FALSE(reader.in_message());
}

TEST(FrameReader, ManyTinyFragmentsDoNotRecurse) {
  std::string wire = frame(0x2, "", false);
  const std::string empty_continuation = frame(0x0, "", false);
  for (int i = 0; i < 200000; ++i) wire += empty_continuation;
  wire += frame(0x0, "end");
  EXPECT_EQ(read_all(wire), Events{binary("end")});
}

TEST(FrameReader, ContinuationWithoutAMessageIsAProtocolError) {
  EXPECT_EQ(read_all(frame(0x0, "orphan")), Events{error(1002)});
  EXPECT_EQ(read_all(frame(0x1, "done") + frame(0x0, "more")), (Events{text("done"), error(1002)}));
}

TEST(FrameReader, NewMessageInsideAFragmentedOneIsAProtocolError) {
  EXPECT_EQ(read_all(frame(0x1, "a", false) + frame(0x1, "b")), Events{error(1002)});
  EXPECT_EQ(read_all(frame(0x2, "a", false) + frame(0x1, "b", false)), Events{error(1002)});
}

// --- Header rules ----------------------------------------------------------------------------

TEST(FrameReader, UnmaskedClientFrameIsAProtocolError) {
  EXPECT_EQ(read_all(frame(0x1, "Hello", true, false, 0, false)), Events{error(1002)});
  EXPECT_EQ(read_all(frame(0x9, "", true, false, 0, false)), Events{error(1002)});
}

TEST(FrameReader, ReservedBitsWithoutExtensionAreProtocolErrors) {
  EXPECT_EQ(read_all(frame(0x1, "x", true, true)), Events{error(1002)});         // RSV1, no deflate
  EXPECT_EQ(read_all(frame(0x1, "x", true, false, 0x20)), Events{error(1002)});  // RSV2
  EXPECT_EQ(read_all(frame(0x1, "x", true, false, 0x10)), Events{error(1002)});  // RSV3
  EXPECT_EQ(read_all(frame(0x9, "x", true, false, 0x70)), Events{error(1002)});
}

TEST(FrameReader, UnknownOpcodesAreProtocolErrors) {
  for (int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    EXPECT_EQ(read_all(frame(op, "")), Events{error(1002)}) << op;
    EXPECT_EQ(read_all(frame(op, "payload")), Events{error(1002)}) << op;
  }
}

TEST(FrameReader, ControlFramesMustNotBeFragmented) {
  for (int op : {0x8, 0x9, 0xA}) {
    EXPECT_EQ(read_all(frame(op, "", false)), Events{error(1002)}) << op;
  }
}

TEST(FrameReader, ControlPayloadLimit) {
  EXPECT_EQ(read_all(frame(0x9, std::string(125, 'p'))), Events{ping(std::string(125, 'p'))});
  EXPECT_EQ(read_all(frame(0xA, std::string(125, 'p'))), Events{pong(std::string(125, 'p'))});
  EXPECT_EQ(read_all(frame(0x9, std::string(126, 'p'))), Events{error(1002)});
  EXPECT_EQ(read_all(frame(0x8, std::string(126, 'p'))), Events{error(1002)});
  // Decided on the header alone: the payload need not arrive.
  const std::string big_ping = frame(0x9, std::string(70000, 'p'));
  EXPECT_EQ(read_all(big_ping.substr(0, 14)), Events{error(1002)});
}

TEST(FrameReader, NonMinimalLengthIsAProtocolError) {
  std::string wire = "\x82\xFE";
  wire += std::string("\x00\x05", 2);
  wire += std::string(reinterpret_cast<const char*>(kKey.data()), 4) + "abcde";
  EXPECT_EQ(read_all(wire), Events{error(1002)});
}

TEST(FrameReader, TopBitOfSixtyFourBitLengthIsAProtocolError) {
  std::string wire = "\x82\xFF";
  wire += std::string("\x80\x00\x00\x00\x00\x00\x00\x01", 8);
  wire += std::string(reinterpret_cast<const char*>(kKey.data()), 4);
  EXPECT_EQ(read_all(wire), Events{error(1002)});
}

// --- Text validation -------------------------------------------------------------------------

TEST(FrameReader, InvalidUtf8TextIs1007) {
  EXPECT_EQ(read_all(frame(0x1, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80")),
            Events{error(1007)});
  EXPECT_EQ(read_all(frame(0x1, "cut \xE2\x82")), Events{error(1007)});
}

TEST(FrameReader, BinaryIsNotUtf8Checked) {
  EXPECT_EQ(read_all(frame(0x2, "\xFF\xFE")), Events{binary("\xFF\xFE")});
}

TEST(FrameReader, CodePointSplitAcrossFragments) {
  const std::string wire =
      frame(0x1, "\xE2", false) + frame(0x0, "\x82", false) + frame(0x0, "\xAC");
  EXPECT_EQ(read_all(wire), Events{text("\xE2\x82\xAC")});
}

TEST(FrameReader, FragmentsEndingInsideACodePointFailAtTheEnd) {
  EXPECT_EQ(read_all(frame(0x1, "ok", false) + frame(0x0, "\xE2\x82")), Events{error(1007)});
}

TEST(FrameReader, InvalidUtf8FailsFastAcrossFragments) {
  // Autobahn 6.4.1: the second fragment makes the text invalid; the error comes before the
  // third fragment is sent.
  FrameReader reader;
  Feeder feeder(reader);
  feeder.feed(frame(0x1, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", false));
  EXPECT_TRUE(feeder.events.empty());
  feeder.feed(frame(0x0, "\xF4\x90\x80\x80", false));
  EXPECT_EQ(feeder.events, Events{error(1007)});
}

TEST(FrameReader, InvalidUtf8FailsFastInsideAFrameSentInChops) {
  // Autobahn 6.4.3: one frame, sent a few bytes at a time; fail on the first bad byte.
  const std::string payload = std::string("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5") +
                              "\xF4\x90\x80\x80" + "\x65\x64\x69\x74\x65\x64";
  const std::string wire = frame(0x1, payload);
  FrameReader reader;
  Feeder feeder(reader);
  const std::size_t bad_byte = 6 + 11 + 1;  // header, valid prefix, F4, then 90 is impossible
  feeder.feed(wire.substr(0, bad_byte));
  EXPECT_TRUE(feeder.events.empty());
  feeder.feed(wire.substr(bad_byte, 1));
  EXPECT_EQ(feeder.events, Events{error(1007)});
}

// --- Size limit ------------------------------------------------------------------------------

TEST(FrameReader, MessageAtTheLimitPassesOneMoreByteIs1009) {
  const FrameReaderOptions options{.max_payload_length = 1000};
  EXPECT_EQ(read_all(frame(0x2, std::string(1000, 'x')), options),
            Events{binary(std::string(1000, 'x'))});
  EXPECT_EQ(read_all(frame(0x2, std::string(1001, 'x')), options), Events{error(1009)});
}

TEST(FrameReader, SizeIsCheckedOnTheHeaderBeforeThePayloadArrives) {
  const FrameReaderOptions options{.max_payload_length = 1000};
  // A header claiming 2^62 bytes, with no payload at all.
  std::string wire = "\x82\xFF";
  wire += std::string("\x40\x00\x00\x00\x00\x00\x00\x00", 8);
  wire += std::string(reinterpret_cast<const char*>(kKey.data()), 4);
  EXPECT_EQ(read_all(wire, options), Events{error(1009)});
  EXPECT_EQ(read_all(wire), Events{error(1009)});  // also over the 16 MiB default
}

TEST(FrameReader, LimitsBeyond32BitsActAsTheLargest32BitLimit) {
  const FrameReaderOptions options{.max_payload_length = SIZE_MAX};
  EXPECT_EQ(read_all(frame(0x2, "small"), options), Events{binary("small")});
  EXPECT_EQ(read_all(frame(0x1, "ab", false) + frame(0x0, "cd"), options), Events{text("abcd")});
  // 2^32 bytes is one more than the saturated limit: refused on the header.
  std::string wire = "\x82\xFF";
  wire += std::string("\x00\x00\x00\x01\x00\x00\x00\x00", 8);
  wire += std::string(reinterpret_cast<const char*>(kKey.data()), 4);
  EXPECT_EQ(read_all(wire, options), Events{error(1009)});
}

TEST(FrameReader, SizeIsCheckedAcrossFragments) {
  const FrameReaderOptions options{.max_payload_length = 10};
  const std::string ok = frame(0x1, "12345", false) + frame(0x0, "67890");
  EXPECT_EQ(read_all(ok, options), Events{text("1234567890")});
  // The third fragment's header pushes the total to 11: rejected before its payload.
  const std::string too_big =
      frame(0x1, "12345", false) + frame(0x0, "67890", false) + frame(0x0, "1");
  EXPECT_EQ(read_all(too_big, options), Events{error(1009)});
  FrameReader reader(options);
  Feeder feeder(reader);
  feeder.feed(frame(0x1, "12345", false) + frame(0x0, "67890", false));
  feeder.feed(frame(0x0, "1").substr(0, 6));
  EXPECT_EQ(feeder.events, Events{error(1009)});
}

TEST(FrameReader, ControlFramesDoNotCountTowardsTheMessageSize) {
  const FrameReaderOptions options{.max_payload_length = 4};
  const std::string wire = frame(0x1, "ab", false) + frame(0x9, "0123456789") + frame(0x0, "cd");
  EXPECT_EQ(read_all(wire, options), (Events{ping("0123456789"), text("abcd")}));
}

// --- Close -----------------------------------------------------------------------------------

TEST(FrameReader, CloseWithoutPayloadReports1005) {
  EXPECT_EQ(read_all(frame(0x8, "")), Events{close_event(1005)});
}

TEST(FrameReader, CloseWithOneByteIsAProtocolError) {
  EXPECT_EQ(read_all(frame(0x8, "\x03")), Events{error(1002)});
}

TEST(FrameReader, CloseCodeAndReason) {
  EXPECT_EQ(read_all(close_frame(1000, "bye")), Events{close_event(1000, "bye")});
  EXPECT_EQ(read_all(close_frame(4999)), Events{close_event(4999)});
  EXPECT_EQ(read_all(close_frame(1000, std::string(123, 'r'))),
            Events{close_event(1000, std::string(123, 'r'))});
}

TEST(FrameReader, CloseCodeTable) {
  for (unsigned code = 0; code < 6000; ++code) {
    const Events events = read_all(close_frame(static_cast<std::uint16_t>(code)));
    const Events expected = is_valid_close_code(static_cast<std::uint16_t>(code))
                                ? Events{close_event(static_cast<std::uint16_t>(code))}
                                : Events{error(1002)};
    ASSERT_EQ(events, expected) << code;
  }
  EXPECT_EQ(read_all(close_frame(1012)), Events{close_event(1012)});
  EXPECT_EQ(read_all(close_frame(1015)), Events{error(1002)});
}

TEST(FrameReader, CloseReasonMustBeUtf8) {
  EXPECT_EQ(read_all(close_frame(1000, "\xED\xA0\x80")), Events{error(1007)});
}

TEST(FrameReader, NothingIsReadAfterClose) {
  FrameReader reader;
  Feeder feeder(reader);
  feeder.feed(close_frame(1000) + frame(0x1, "late") + "garbage");
  EXPECT_EQ(feeder.events, Events{close_event(1000)});
  EXPECT_EQ(feeder.buffered(), 0u);  // discarded
  feeder.feed(frame(0x1, "later"));
  EXPECT_EQ(feeder.events, Events{close_event(1000)});
}

TEST(FrameReader, EmptyInputInEveryPhase) {
  FrameReader reader;
  EXPECT_EQ(reader.read({}).kind, Kind::need_more);
  std::string header = frame(0x2, std::string(10, 'x')).substr(0, 6);
  ReadEvent ev = reader.read(std::span<char>(header.data(), header.size()));
  EXPECT_EQ(ev.kind, Kind::need_more);
  EXPECT_EQ(ev.consumed, 6u);  // the header is taken; the payload is awaited
  ev = reader.read({});
  EXPECT_EQ(ev.kind, Kind::need_more);
  EXPECT_EQ(ev.consumed, 0u);
  EXPECT_TRUE(reader.in_message());
}

TEST(FrameReader, ErrorsAreSticky) {
  std::string wire = frame(0x0, "orphan");
  FrameReader reader;
  std::span<char> input(wire.data(), wire.size());
  EXPECT_EQ(reader.read(input).close_code, 1002);
  std::string good = frame(0x1, "fine");
  const ReadEvent again = reader.read(std::span<char>(good.data(), good.size()));
  EXPECT_EQ(again.kind, Kind::error);
  EXPECT_EQ(again.close_code, 1002);
  EXPECT_EQ(again.consumed, 0u);
}

// --- Splitting -------------------------------------------------------------------------------

std::string mixed_stream() {
  return frame(0x1, "Hel", false) + frame(0x9, "are you there?") +
         frame(0x0, "lo \xE2\x82", false) + frame(0x0, "\xAC!") +
         frame(0x2, std::string(300, '\x01')) + frame(0xA, "") +
         frame(0x1, std::string(70000, 'L')) + frame(0x2, "", false) + frame(0x0, "tail") +
         close_frame(1001, "going");
}

Events mixed_expected() {
  return {ping("are you there?"),           text("Hello \xE2\x82\xAC!"),
          binary(std::string(300, '\x01')), pong(""),
          text(std::string(70000, 'L')),    binary("tail"),
          close_event(1001, "going")};
}

TEST(FrameReader, WholeStreamAtOnce) {
  EXPECT_EQ(read_all(mixed_stream()), mixed_expected());
}

TEST(FrameReader, SplitInTwoAtEveryByte) {
  const std::string wire = mixed_stream();
  const Events expected = mixed_expected();
  for (std::size_t cut = 0; cut <= wire.size();
       cut += (cut < 500 || cut > wire.size() - 500) ? 1 : 37) {
    ASSERT_EQ(read_in_pieces(wire, {cut}), expected) << "cut at " << cut;
  }
}

TEST(FrameReader, ByteByByte) {
  const std::string wire = frame(0x1, "Hel", false) + frame(0x9, "ping") +
                           frame(0x0, "lo \xE2\x82\xAC") + frame(0x2, std::string(200, 'b')) +
                           close_frame(1000, "x");
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < wire.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(read_in_pieces(wire, cuts),
            (Events{ping("ping"), text("Hello \xE2\x82\xAC"), binary(std::string(200, 'b')),
                    close_event(1000, "x")}));
}

TEST(FrameReader, CallerKeepsAtMostAControlFrame) {
  // Large data frames are consumed as they arrive; only headers and control frames wait.
  FrameReader reader;
  Feeder feeder(reader);
  const std::string wire = frame(0x2, std::string(100000, 'd'));
  for (std::size_t i = 0; i < wire.size(); i += 1000) {
    feeder.feed(wire.substr(i, 1000));
    EXPECT_LE(feeder.buffered(), kMaxFrameHeaderSize);
  }
  EXPECT_EQ(feeder.events, Events{binary(std::string(100000, 'd'))});
}

// --- Compression -----------------------------------------------------------------------------

std::string compressed_hello() {
  return std::string("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);
}

TEST(FrameReader, CompressedMessage) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  EXPECT_EQ(read_all(frame(0x1, compressed_hello(), true, true), {}, &*inflater),
            Events{text("Hello")});
}

TEST(FrameReader, CompressedFragmentedMessageWithControlFrameBetween) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  const std::string c = compressed_hello();
  const std::string wire = frame(0x1, c.substr(0, 3), false, true) + frame(0x9, "p") +
                           frame(0x0, c.substr(3, 2), false) + frame(0x0, c.substr(5));
  EXPECT_EQ(read_all(wire, {}, &*inflater), (Events{ping("p"), text("Hello")}));
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    auto fresh = Inflater::create();
    ASSERT_EQ(read_in_pieces(wire, {cut}, {}, &*fresh), (Events{ping("p"), text("Hello")})) << cut;
  }
}

TEST(FrameReader, UncompressedMessagesStillWorkWithDeflate) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  EXPECT_EQ(
      read_all(frame(0x1, "plain") + frame(0x1, compressed_hello(), true, true), {}, &*inflater),
      (Events{text("plain"), text("Hello")}));
}

TEST(FrameReader, Rsv1OnContinuationOrControlIsAProtocolError) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  const std::string c = compressed_hello();
  EXPECT_EQ(read_all(frame(0x1, c.substr(0, 3), false, true) + frame(0x0, c.substr(3), true, true),
                     {}, &*inflater),
            Events{error(1002)});
  EXPECT_EQ(read_all(frame(0x9, "", true, true), {}, &*inflater), Events{error(1002)});
  EXPECT_EQ(read_all(frame(0x8, "", true, true), {}, &*inflater), Events{error(1002)});
}

TEST(FrameReader, ContextTakeoverAcrossMessages) {
  auto inflater = Inflater::create(15, false);
  ASSERT_TRUE(inflater);
  const std::string wire = frame(0x1, compressed_hello(), true, true) +
                           frame(0x1, std::string("\xf2\x00\x11\x00\x00", 5), true, true);
  EXPECT_EQ(read_all(wire, {}, &*inflater), (Events{text("Hello"), text("Hello")}));
}

TEST(FrameReader, CorruptCompressedDataIs1007) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  EXPECT_EQ(read_all(frame(0x2, "\xff\xff\xff", true, true), {}, &*inflater), Events{error(1007)});
}

TEST(FrameReader, CompressedTextMustBeUtf8) {
  auto deflater = Deflater::create();
  auto inflater = Inflater::create();
  ASSERT_TRUE(deflater && inflater);
  std::string payload;
  ASSERT_TRUE(deflater->deflate_message("bad \xC0\xAF", payload));
  EXPECT_EQ(read_all(frame(0x1, payload, true, true), {}, &*inflater), Events{error(1007)});
  payload.clear();
  ASSERT_TRUE(deflater->deflate_message("bad \xC0\xAF", payload));
  EXPECT_EQ(read_all(frame(0x2, payload, true, true), {}, &*inflater),
            Events{binary("bad \xC0\xAF")});
}

TEST(FrameReader, CompressionBombIs1009) {
  auto deflater = Deflater::create(15, true, 9);
  auto inflater = Inflater::create();
  ASSERT_TRUE(deflater && inflater);
  std::string payload;
  ASSERT_TRUE(deflater->deflate_message(std::string(10 * 1000 * 1000, 'A'), payload));
  const FrameReaderOptions options{.max_payload_length = 1 << 20};
  EXPECT_LT(payload.size(), options.max_payload_length);
  EXPECT_EQ(read_all(frame(0x2, payload, true, true), options, &*inflater), Events{error(1009)});
}

TEST(FrameReader, CompressedWireSizeIsLimitedToo) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  const FrameReaderOptions options{.max_payload_length = 4};
  EXPECT_EQ(read_all(frame(0x1, compressed_hello(), true, true), options, &*inflater),
            Events{error(1009)});
}

TEST(FrameReader, SetInflaterEnablesRsv1) {
  auto inflater = Inflater::create();
  ASSERT_TRUE(inflater);
  FrameReader reader;
  reader.set_inflater(&*inflater);
  std::string wire = frame(0x1, compressed_hello(), true, true);
  const ReadEvent ev = reader.read(std::span<char>(wire.data(), wire.size()));
  EXPECT_EQ(ev.kind, Kind::text);
  EXPECT_EQ(ev.payload, "Hello");
}

}  // namespace
}  // namespace pulsarcpp::ws
