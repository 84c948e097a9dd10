#include "ws/handshake.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace pulsarcpp::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t kClientKeySize = 24;  // base64 of 16 bytes, with "==" padding
constexpr std::size_t kSha1Size = 20;

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool is_list_space(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_list_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_list_space(s.back())) s.remove_suffix(1);
  return s;
}

// True when `name` is one of the comma-separated elements of `list` (RFC 9110 §5.6.1 list:
// optional whitespace around elements, empty elements ignored).
bool list_contains(std::string_view list, std::string_view name) noexcept {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    if (!element.empty() && element == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

template <typename String>
std::optional<std::string_view> select_from(std::string_view client_header,
                                            std::span<const String> server) noexcept {
  for (const String& candidate : server) {
    const std::string_view name = candidate;
    if (!name.empty() && list_contains(client_header, name)) return name;
  }
  return std::nullopt;
}

}  // namespace

namespace {

// OpenSSL 3 looks a digest up in its provider tables on every EVP_sha1() init; fetching it once
// skips that per handshake. The fetch also loads the default provider, which touches about 2 MB
// of libcrypto: prepare_accept_key() lets a server pay that at start instead of on the first
// client.
const EVP_MD* sha1() noexcept {
  static EVP_MD* const digest = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return digest;
}

struct DigestContextFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

// One digest context per thread, reused by every handshake of that thread's loop.
EVP_MD_CTX* thread_digest_context() noexcept {
  thread_local std::unique_ptr<EVP_MD_CTX, DigestContextFree> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

bool prepare_accept_key() noexcept { return sha1() != nullptr; }

bool write_accept_key(std::string_view sec_websocket_key, char* out) noexcept {
  EVP_MD_CTX* ctx = thread_digest_context();
  const EVP_MD* md = sha1();
  if (ctx == nullptr || md == nullptr) return false;
  std::array<unsigned char, kSha1Size> digest{};
  unsigned int digest_size = 0;
  const bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, sec_websocket_key.data(), sec_websocket_key.size()) == 1 &&
                  EVP_DigestUpdate(ctx, kGuid.data(), kGuid.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest.data(), &digest_size) == 1 &&
                  digest_size == kSha1Size;
  if (!ok) return false;
  // EVP_EncodeBlock writes a NUL after the 28 characters, so encode into a local buffer.
  std::array<unsigned char, kAcceptKeySize + 1> encoded{};
  if (EVP_EncodeBlock(encoded.data(), digest.data(), kSha1Size) != kAcceptKeySize) return false;
  for (std::size_t i = 0; i < kAcceptKeySize; ++i) out[i] = static_cast<char>(encoded[i]);
  return true;
}

std::string compute_accept_key(std::string_view sec_websocket_key) {
  std::string key(kAcceptKeySize, '\0');
  if (!write_accept_key(sec_websocket_key, key.data())) key.clear();
  return key;
}

bool is_valid_client_key(std::string_view key) noexcept {
  if (key.size() != kClientKeySize || key[22] != '=' || key[23] != '=') return false;
  // The last character also carries 4 padding bits that decoders ignore; any value still decodes
  // to 16 bytes, so it is not checked for canonical form.
  for (std::size_t i = 0; i < 22; ++i) {
    if (!is_base64_char(key[i])) return false;
  }
  return true;
}

std::optional<std::string_view> select_subprotocol(
    std::string_view client_header, std::span<const std::string_view> server) noexcept {
  return select_from(client_header, server);
}

std::optional<std::string_view> select_subprotocol(std::string_view client_header,
                                                   std::span<const std::string> server) noexcept {
  return select_from(client_header, server);
}

}  // namespace pulsarcpp::ws
