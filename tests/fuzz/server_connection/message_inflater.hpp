// Inflates the messages of one permessage-deflate connection (RFC 7692 §7.2.2) with zlib
// directly, independent of the server's own code. One raw-deflate context for the whole
// connection: a server that keeps its context needs it, one that resets it does no harm to it,
// and a 15-bit window reads what any smaller window wrote.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

#include "check.hpp"

namespace connection_fuzz {

class MessageInflater {
 public:
  MessageInflater() { check(inflateInit2(&stream_, -15) == Z_OK, "inflateInit2 failed"); }
  MessageInflater(const MessageInflater&) = delete;
  MessageInflater& operator=(const MessageInflater&) = delete;
  ~MessageInflater() { inflateEnd(&stream_); }

  // The message whose compressed frames' payloads, together, are `compressed`.
  std::string inflate(std::string compressed) {
    compressed.append("\x00\x00\xff\xff", 4);  // the tail the sender removed
    stream_.next_in = reinterpret_cast<Bytef*>(compressed.data());
    stream_.avail_in = static_cast<uInt>(compressed.size());
    std::string message;
    char buffer[4096];
    while (stream_.avail_in > 0) {
      stream_.next_out = reinterpret_cast<Bytef*>(buffer);
      stream_.avail_out = sizeof buffer;
      const int status = ::inflate(&stream_, Z_SYNC_FLUSH);
      check(status == Z_OK || status == Z_BUF_ERROR, "a compressed message zlib cannot inflate");
      message.append(buffer, sizeof buffer - stream_.avail_out);
      check(message.size() <= kLargestMessage, "a compressed message inflating past any sent");
      if (status == Z_BUF_ERROR && stream_.avail_out != 0) break;  // no progress possible
    }
    check(stream_.avail_in == 0, "a compressed message with bytes after its end");
    return message;
  }

 private:
  // Nothing the fuzzer's server sends comes near: its bodies and messages are a few KiB.
  static constexpr std::size_t kLargestMessage = 1 << 20;

  z_stream stream_{};
};

}  // namespace connection_fuzz
