#pragma once
// Content-Type for static files, chosen by file name extension.

#include <string_view>

namespace pulsarcpp::http {

/// The media type for a file path (or URL path without query) by its extension, compared
/// case-insensitively: "/a/Index.HTML" -> "text/html; charset=utf-8". Textual types carry
/// "; charset=utf-8" so browsers do not guess the encoding. A path with no extension, an unknown
/// one, or a dotfile name such as ".env" gives "application/octet-stream", which browsers download
/// rather than render. O(log n), no allocation; the result points to static storage.
std::string_view mime_type_for(std::string_view path) noexcept;

}  // namespace pulsarcpp::http
