#include "pulsarcpp/http/method.hpp"

#include <array>

namespace pulsarcpp::http {

namespace {

// Indexed by Method; methods are case-sensitive (RFC 9110 §9.1), so "get" is Method::other.
constexpr std::array<std::string_view, kMethodCount> kNames = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "OTHER"};

}  // namespace

Method method_from_string(std::string_view name) noexcept {
  // Dispatch on the first byte so the common methods cost one or two comparisons.
  if (name.empty()) return Method::other;
  switch (name[0]) {
    case 'G':
      if (name == "GET") return Method::get;
      break;
    case 'H':
      if (name == "HEAD") return Method::head;
      break;
    case 'P':
      if (name == "POST") return Method::post;
      if (name == "PUT") return Method::put;
      if (name == "PATCH") return Method::patch;
      break;
    case 'D':
      if (name == "DELETE") return Method::del;
      break;
    case 'C':
      if (name == "CONNECT") return Method::connect;
      break;
    case 'O':
      if (name == "OPTIONS") return Method::options;
      break;
    case 'T':
      if (name == "TRACE") return Method::trace;
      break;
    default:
      break;
  }
  return Method::other;
}

std::string_view to_string(Method method) noexcept {
  const auto index = static_cast<std::size_t>(method);
  return index < kNames.size() ? kNames[index] : kNames.back();
}

}  // namespace pulsarcpp::http
