#pragma once
// HTTP request methods known to the router.

#include <cstdint>
#include <string_view>

namespace pulsarcpp::http {

enum class Method : std::uint8_t { get, head, post, put, del, connect, options, trace, patch, other };

inline constexpr std::size_t kMethodCount = 10;

/// "GET" -> Method::get; anything unknown (a valid token the router does not know) -> other.
Method method_from_string(std::string_view name) noexcept;

/// Method::get -> "GET"; Method::other -> "OTHER".
std::string_view to_string(Method method) noexcept;

}  // namespace pulsarcpp::http
