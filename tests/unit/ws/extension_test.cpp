#include "ws/extension.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pulsarcpp::ws {
namespace {

constexpr const char* kDefaultAnswer =
    "permessage-deflate; client_no_context_takeover; server_no_context_takeover";

DeflateOptions on() {
  return DeflateOptions{.enabled = true};
}

DeflateOptions dedicated(std::uint8_t compress_bits = 15, std::uint8_t decompress_bits = 15) {
  return DeflateOptions{.enabled = true,
                        .compress = DeflateMode::dedicated,
                        .compress_window_bits = compress_bits,
                        .decompress = DeflateMode::dedicated,
                        .decompress_window_bits = decompress_bits};
}

TEST(Extension, OffByDefault) {
  const DeflateNegotiation n = negotiate_deflate("permessage-deflate", DeflateOptions{});
  EXPECT_FALSE(n.accepted);
  EXPECT_TRUE(n.response.empty());
}

TEST(Extension, DefaultAnswerAsBun) {
  for (const char* offer : {"permessage-deflate", "permessage-deflate; client_max_window_bits",
                            "permessage-deflate; client_no_context_takeover",
                            "permessage-deflate; server_no_context_takeover"}) {
    const DeflateNegotiation n = negotiate_deflate(offer, on());
    ASSERT_TRUE(n.accepted) << offer;
    EXPECT_EQ(n.response, kDefaultAnswer) << offer;
    EXPECT_TRUE(n.params.compress);
    EXPECT_TRUE(n.params.server_no_context_takeover);
    EXPECT_TRUE(n.params.client_no_context_takeover);
    EXPECT_EQ(n.params.server_window_bits, 15);
    EXPECT_EQ(n.params.client_window_bits, 15);
  }
}

TEST(Extension, ChromeAndFirefoxOffers) {
  const DeflateNegotiation n =
      negotiate_deflate("permessage-deflate; client_max_window_bits", dedicated());
  ASSERT_TRUE(n.accepted);
  EXPECT_EQ(n.response, "permessage-deflate");
  EXPECT_FALSE(n.params.server_no_context_takeover);
  EXPECT_FALSE(n.params.client_no_context_takeover);
}

TEST(Extension, NoOfferNoExtension) {
  EXPECT_FALSE(negotiate_deflate("", on()).accepted);
  EXPECT_FALSE(negotiate_deflate("x-webkit-deflate-frame", on()).accepted);
  EXPECT_FALSE(negotiate_deflate("permessage-foo", on()).accepted);
  EXPECT_FALSE(negotiate_deflate("permessage-deflatex", on()).accepted);
}

TEST(Extension, OtherExtensionsAreSkipped) {
  const DeflateNegotiation n = negotiate_deflate(
      "x-webkit-deflate-frame; no_context_takeover, foo; bar=\"a b\"?, permessage-deflate", on());
  EXPECT_FALSE(n.accepted);  // "a b" is not a token, and "?" breaks the list syntax
  const DeflateNegotiation m =
      negotiate_deflate("x-webkit-deflate-frame; no_context_takeover, permessage-deflate", on());
  EXPECT_TRUE(m.accepted);
  EXPECT_EQ(m.response, kDefaultAnswer);
}

TEST(Extension, FirstAcceptableOfferWins) {
  // The first offer carries an unknown parameter, the second a duplicate: the third is used.
  const DeflateNegotiation n = negotiate_deflate(
      "permessage-deflate; foo=1, "
      "permessage-deflate; client_no_context_takeover; client_no_context_takeover, "
      "permessage-deflate; server_max_window_bits=10, "
      "permessage-deflate",
      dedicated());
  ASSERT_TRUE(n.accepted);
  EXPECT_EQ(n.response, "permessage-deflate; server_max_window_bits=10");
  EXPECT_EQ(n.params.server_window_bits, 10);
  EXPECT_TRUE(n.params.compress);
}

TEST(Extension, MalformedParametersDeclineTheOffer) {
  for (const char* offer : {
           "permessage-deflate; server_no_context_takeover=1",
           "permessage-deflate; client_no_context_takeover=true",
           "permessage-deflate; server_max_window_bits",
           "permessage-deflate; server_max_window_bits=7",
           "permessage-deflate; server_max_window_bits=16",
           "permessage-deflate; server_max_window_bits=08",
           "permessage-deflate; server_max_window_bits=010",
           "permessage-deflate; server_max_window_bits=1a",
           "permessage-deflate; server_max_window_bits=100000000000000000000010",
           "permessage-deflate; client_max_window_bits=0",
           "permessage-deflate; client_max_window_bits=16",
           "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
           "permessage-deflate; client_max_window_bits; client_max_window_bits=9",
           "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
           "permessage-deflate; mystery",
       }) {
    EXPECT_FALSE(negotiate_deflate(offer, on()).accepted) << offer;
  }
}

TEST(Extension, MalformedSyntaxDeclinesEverything) {
  for (const char* header : {
           "permessage-deflate;",
           "permessage-deflate; ;",
           "permessage-deflate; =1",
           "permessage-deflate; client_max_window_bits=",
           "permessage-deflate x",
           "permessage-deflate; client_max_window_bits=\"10",
           "permessage-deflate; client_max_window_bits=\"\"",
           "permessage-deflate; client_max_window_bits=\"1 0\"",
           "permessage-deflate, ; foo",
           "permessage-deflate, foo bar",
           "permessage-deflate, \"quoted\"",
           "permessage-deflate; client_max_window_bits=\"10\\",
       }) {
    EXPECT_FALSE(negotiate_deflate(header, on()).accepted) << header;
  }
}

TEST(Extension, ListAndWhitespaceSyntax) {
  for (const char* header : {
           "permessage-deflate ;client_max_window_bits ; server_no_context_takeover",
           "\tpermessage-deflate\t;\tclient_max_window_bits\t",
           ", , permessage-deflate,,",
           "PerMessage-Deflate; Client_Max_Window_Bits",
       }) {
    const DeflateNegotiation n = negotiate_deflate(header, on());
    EXPECT_TRUE(n.accepted) << header;
    EXPECT_EQ(n.response, kDefaultAnswer) << header;
  }
}

TEST(Extension, QuotedValues) {
  DeflateNegotiation n =
      negotiate_deflate("permessage-deflate; server_max_window_bits=\"12\"", dedicated());
  ASSERT_TRUE(n.accepted);
  EXPECT_EQ(n.params.server_window_bits, 12);
  n = negotiate_deflate("permessage-deflate; server_max_window_bits=\"1\\2\"", dedicated());
  ASSERT_TRUE(n.accepted);  // escapes are removed before the value is read
  EXPECT_EQ(n.params.server_window_bits, 12);
  // Unescaped content must be a token: a quoted comma makes the header malformed.
  EXPECT_FALSE(negotiate_deflate("foo; a=\"x,y\"", on()).accepted);
  n = negotiate_deflate("foo; a=\"xyz1234567\", permessage-deflate", on());
  EXPECT_TRUE(n.accepted);
}

TEST(Extension, ServerWindowBits) {
  // The client limits our window; we announce ours if smaller than 15.
  DeflateNegotiation n =
      negotiate_deflate("permessage-deflate; server_max_window_bits=12", dedicated(10));
  ASSERT_TRUE(n.accepted);
  EXPECT_EQ(n.params.server_window_bits, 10);
  EXPECT_EQ(n.response, "permessage-deflate; server_max_window_bits=10");
  n = negotiate_deflate("permessage-deflate; server_max_window_bits=12", dedicated(15));
  EXPECT_EQ(n.params.server_window_bits, 12);
  EXPECT_EQ(n.response, "permessage-deflate; server_max_window_bits=12");
  n = negotiate_deflate("permessage-deflate", dedicated(11));
  EXPECT_EQ(n.params.server_window_bits, 11);
  EXPECT_EQ(n.response, "permessage-deflate; server_max_window_bits=11");
  EXPECT_FALSE(n.params.server_no_context_takeover);
}

TEST(Extension, EightBitServerWindowMeansNoCompression) {
  const DeflateNegotiation n =
      negotiate_deflate("permessage-deflate; server_max_window_bits=8", dedicated());
  ASSERT_TRUE(n.accepted);
  EXPECT_FALSE(n.params.compress);
  EXPECT_EQ(n.params.server_window_bits, 8);
  EXPECT_EQ(n.response, "permessage-deflate; server_max_window_bits=8");
}

TEST(Extension, SharedCompressorNeedsTheFullWindow) {
  DeflateNegotiation n = negotiate_deflate("permessage-deflate; server_max_window_bits=12", on());
  ASSERT_TRUE(n.accepted);
  EXPECT_FALSE(n.params.compress);
  EXPECT_EQ(n.response,
            "permessage-deflate; client_no_context_takeover; server_no_context_takeover; "
            "server_max_window_bits=12");
  n = negotiate_deflate("permessage-deflate; server_max_window_bits=15", on());
  EXPECT_TRUE(n.params.compress);
}

TEST(Extension, WhenASharedDeflaterFits) {
  EXPECT_TRUE(negotiate_deflate("permessage-deflate", on()).params.fits_shared_deflater());
  EXPECT_TRUE(negotiate_deflate("permessage-deflate", on()).params.fits_shared_inflater());
  // Dedicated mode asked by the client to reset and to keep a 10-bit window: a shared 15-bit
  // deflater would break the window promise.
  const DeflateParams p =
      negotiate_deflate("permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
                        dedicated())
          .params;
  EXPECT_TRUE(p.compress);
  EXPECT_TRUE(p.server_no_context_takeover);
  EXPECT_FALSE(p.fits_shared_deflater());
  EXPECT_FALSE(negotiate_deflate("permessage-deflate", dedicated()).params.fits_shared_deflater());
  EXPECT_FALSE(negotiate_deflate("permessage-deflate", dedicated()).params.fits_shared_inflater());
}

TEST(Extension, ClientAskingForServerResetIsHonoured) {
  const DeflateNegotiation n =
      negotiate_deflate("permessage-deflate; server_no_context_takeover", dedicated());
  ASSERT_TRUE(n.accepted);
  EXPECT_TRUE(n.params.server_no_context_takeover);
  EXPECT_EQ(n.response, "permessage-deflate; server_no_context_takeover");
}

TEST(Extension, ClientWindowBits) {
  // Dedicated decompressor with a small window asks the client for it, when it can.
  DeflateNegotiation n =
      negotiate_deflate("permessage-deflate; client_max_window_bits", dedicated(15, 10));
  ASSERT_TRUE(n.accepted);
  EXPECT_EQ(n.params.client_window_bits, 10);
  EXPECT_EQ(n.response, "permessage-deflate; client_max_window_bits=10");
  n = negotiate_deflate("permessage-deflate; client_max_window_bits=9", dedicated(15, 10));
  EXPECT_EQ(n.params.client_window_bits, 9);
  EXPECT_EQ(n.response, "permessage-deflate; client_max_window_bits=9");
  // Without the parameter in the offer the client cannot be limited.
  n = negotiate_deflate("permessage-deflate", dedicated(15, 10));
  EXPECT_EQ(n.params.client_window_bits, 15);
  EXPECT_EQ(n.response, "permessage-deflate");
  // A client that limits itself lets the inflater use less.
  n = negotiate_deflate("permessage-deflate; client_max_window_bits=11", on());
  EXPECT_EQ(n.params.client_window_bits, 11);
  EXPECT_EQ(n.response, std::string(kDefaultAnswer) + "; client_max_window_bits=11");
}

TEST(Extension, ClientNoContextTakeoverIsHonoured) {
  const DeflateNegotiation n =
      negotiate_deflate("permessage-deflate; client_no_context_takeover", dedicated());
  ASSERT_TRUE(n.accepted);
  EXPECT_TRUE(n.params.client_no_context_takeover);
  EXPECT_EQ(n.response, "permessage-deflate; client_no_context_takeover");
}

TEST(Extension, CompressDisabledStillDecompresses) {
  DeflateOptions o = on();
  o.compress = DeflateMode::disable;
  const DeflateNegotiation n = negotiate_deflate("permessage-deflate", o);
  ASSERT_TRUE(n.accepted);
  EXPECT_FALSE(n.params.compress);
  EXPECT_EQ(n.response, kDefaultAnswer);
}

TEST(Extension, DecompressDisabledDeclines) {
  DeflateOptions o = on();
  o.decompress = DeflateMode::disable;
  EXPECT_FALSE(negotiate_deflate("permessage-deflate", o).accepted);
}

TEST(Extension, OutOfRangeOptionsDecline) {
  EXPECT_FALSE(negotiate_deflate("permessage-deflate", dedicated(8)).accepted);
  EXPECT_FALSE(negotiate_deflate("permessage-deflate", dedicated(16)).accepted);
  EXPECT_FALSE(negotiate_deflate("permessage-deflate", dedicated(15, 7)).accepted);
  EXPECT_TRUE(negotiate_deflate("permessage-deflate", dedicated(9, 8)).accepted);
}

TEST(Extension, MatrixOfModesAgainstOffers) {
  // Every combination produces an answer that keeps the RFC's promises.
  const char* offers[] = {"permessage-deflate",
                          "permessage-deflate; client_max_window_bits",
                          "permessage-deflate; client_max_window_bits=9",
                          "permessage-deflate; server_max_window_bits=9",
                          "permessage-deflate; server_no_context_takeover",
                          "permessage-deflate; client_no_context_takeover",
                          "permessage-deflate; server_no_context_takeover; "
                          "client_no_context_takeover; server_max_window_bits=11; "
                          "client_max_window_bits=12"};
  const DeflateMode modes[] = {DeflateMode::disable, DeflateMode::shared, DeflateMode::dedicated};
  for (const char* offer : offers) {
    for (DeflateMode c : modes) {
      for (DeflateMode d : modes) {
        const DeflateOptions o{.enabled = true,
                               .compress = c,
                               .compress_window_bits = 12,
                               .decompress = d,
                               .decompress_window_bits = 10};
        const DeflateNegotiation n = negotiate_deflate(offer, o);
        const std::string what =
            std::string(offer) + " c=" + std::to_string(int(c)) + " d=" + std::to_string(int(d));
        if (d == DeflateMode::disable) {
          EXPECT_FALSE(n.accepted) << what;
          continue;
        }
        ASSERT_TRUE(n.accepted) << what;
        const std::string_view offer_view = offer;
        if (offer_view.find("server_no_context_takeover") != std::string_view::npos ||
            c != DeflateMode::dedicated) {
          EXPECT_TRUE(n.params.server_no_context_takeover) << what;
          EXPECT_NE(n.response.find("server_no_context_takeover"), std::string::npos) << what;
        }
        if (d == DeflateMode::shared) {
          EXPECT_NE(n.response.find("client_no_context_takeover"), std::string::npos) << what;
        }
        if (offer_view.find("server_max_window_bits=9") != std::string_view::npos) {
          EXPECT_LE(n.params.server_window_bits, 9) << what;
        }
        if (offer_view.find("client_max_window_bits") == std::string_view::npos) {
          EXPECT_EQ(n.response.find("client_max_window_bits"), std::string::npos) << what;
          EXPECT_EQ(n.params.client_window_bits, 15) << what;
        }
        if (n.params.compress) {
          EXPECT_GE(n.params.server_window_bits, 9) << what;
          EXPECT_NE(c, DeflateMode::disable) << what;
        }
        EXPECT_EQ(n.response.rfind("permessage-deflate", 0), 0u) << what;
      }
    }
  }
}

}  // namespace
}  // namespace pulsarcpp::ws
