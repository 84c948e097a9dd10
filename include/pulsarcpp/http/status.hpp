#pragma once
// HTTP status codes: reason phrases and whether a response may carry content.

#include <string_view>

namespace pulsarcpp::http {

/// The reason phrase for `status`, for every IANA-registered code from 100 to 511 plus 418.
/// Names follow the classic spelling Pulsar and Bun send (413 "Payload Too Large", 422
/// "Unprocessable Entity", ...), not RFC 9110's renamings, so responses match the anchors byte for
/// byte. Unknown or unassigned codes (including reserved 306) give "".
std::string_view reason_phrase(int status) noexcept;

/// False for 1xx, 204 and 304: RFC 9112 §6.3 ends those responses at the empty line after the
/// header section, so no body may be framed or written. True otherwise (a 205 may still carry an
/// explicit `Content-Length: 0`). Responses to HEAD are the caller's concern.
bool status_allows_body(int status) noexcept;

}  // namespace pulsarcpp::http
