#pragma once
// The whole status line of a response, ready to copy.

#include <string_view>

namespace pulsarcpp::http {

/// "HTTP/1.1 <status> <reason phrase>\r\n" for every status reason_phrase() knows; empty for
/// the others, whose line the caller assembles from the digits.
std::string_view status_line(int status) noexcept;

}  // namespace pulsarcpp::http
