// The pure parts of the WebSocket opening handshake on arbitrary bytes: the check of the client's
// Sec-WebSocket-Key, the Sec-WebSocket-Accept derived from it, and subprotocol selection from a
// client's list. Input: the key, a newline, the client's Sec-WebSocket-Protocol value, then the
// server's subprotocols one per line. Each answer is compared with a plain reading of RFC 6455
// §4.1-4.2 and RFC 9110 §5.6.1 written here independently.

#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ws/handshake.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool in_base64_alphabet(char c) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  return kAlphabet.find(c) != std::string_view::npos;
}

// A valid key decodes to exactly 16 bytes: OpenSSL decodes its 24 characters to 18 bytes, of
// which the "==" padding accounts for two.
bool reference_key_check(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22)) {
    if (!in_base64_alphabet(c)) return false;
  }
  unsigned char decoded[18];
  check(EVP_DecodeBlock(decoded, reinterpret_cast<const unsigned char*>(key.data()), 24) == 18);
  return true;
}

void check_key(std::string_view key) {
  check(pulsarcpp::ws::is_valid_client_key(key) == reference_key_check(key));
  // Any bytes hash; the answer is 28 base64 characters ending in one '=' (20 bytes), and the
  // same key always gives the same answer.
  const std::string accept = pulsarcpp::ws::compute_accept_key(key);
  check(accept.size() == pulsarcpp::ws::kAcceptKeySize);
  for (char c : std::string_view(accept).substr(0, 27)) check(in_base64_alphabet(c));
  check(accept.back() == '=');
  check(pulsarcpp::ws::compute_accept_key(key) == accept);
}

// The elements of a comma-separated list, each trimmed of spaces and tabs, empty ones dropped.
std::vector<std::string_view> list_elements(std::string_view list) {
  std::vector<std::string_view> elements;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view element = list.substr(start, end - start);
    const std::size_t first = element.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      element = element.substr(first, element.find_last_not_of(" \t") - first + 1);
      elements.push_back(element);
    }
    start = end + 1;
  }
  return elements;
}

// The first of the server's names, in its order, that the client listed.
std::optional<std::string_view> reference_selection(std::string_view client,
                                                    const std::vector<std::string>& server) {
  const std::vector<std::string_view> offered = list_elements(client);
  for (const std::string& name : server) {
    if (name.empty()) continue;
    for (std::string_view element : offered) {
      if (element == name) return std::string_view(name);
    }
  }
  return std::nullopt;
}

void check_selection(std::string_view client, const std::vector<std::string>& server) {
  const auto chosen = pulsarcpp::ws::select_subprotocol(client, server);
  const auto expected = reference_selection(client, server);
  check(chosen.has_value() == expected.has_value());
  if (!chosen) return;
  check(*chosen == *expected);
  // A view into the server's own list, so the 101 can quote it after the request is gone.
  check(chosen->data() == expected->data());
}

std::string_view next_line(std::string_view& rest) {
  const std::size_t newline = rest.find('\n');
  const std::string_view line = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view key = next_line(rest);
  const std::string_view client = next_line(rest);
  std::vector<std::string> server;
  while (!rest.empty() && server.size() < 16) server.emplace_back(next_line(rest));
  check_key(key);
  check_selection(client, server);
  return 0;
}
