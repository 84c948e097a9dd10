#include "http/status_line.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pulsarcpp/http/status.hpp"

namespace pulsarcpp::http {
namespace {

TEST(StatusLine, CommonLines) {
  EXPECT_EQ(status_line(200), "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(status_line(100), "HTTP/1.1 100 Continue\r\n");
  EXPECT_EQ(status_line(404), "HTTP/1.1 404 Not Found\r\n");
  EXPECT_EQ(status_line(511), "HTTP/1.1 511 Network Authentication Required\r\n");
}

TEST(StatusLine, EveryStatusWithAPhraseHasItsLineAndNoOtherHasOne) {
  for (int status = -1; status <= 1000; ++status) {
    const std::string_view phrase = reason_phrase(status);
    if (phrase.empty()) {
      EXPECT_EQ(status_line(status), "") << status;
    } else {
      EXPECT_EQ(status_line(status),
                "HTTP/1.1 " + std::to_string(status) + " " + std::string(phrase) + "\r\n")
          << status;
    }
  }
}

}  // namespace
}  // namespace pulsarcpp::http
