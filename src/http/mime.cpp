#include "http/mime.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace pulsarcpp::http {
namespace {

struct MimeEntry {
  std::string_view extension;  // lower case, without the dot
  std::string_view type;
};

constexpr std::string_view kOctetStream = "application/octet-stream";
constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kJavascript = "text/javascript; charset=utf-8";
constexpr std::string_view kJson = "application/json; charset=utf-8";

// Sorted by extension (checked below) for binary search over constant data.
constexpr std::array kMimeTable = {
    MimeEntry{"7z", "application/x-7z-compressed"},
    MimeEntry{"aac", "audio/aac"},
    MimeEntry{"apng", "image/apng"},
    MimeEntry{"avi", "video/x-msvideo"},
    MimeEntry{"avif", "image/avif"},
    MimeEntry{"bmp", "image/bmp"},
    MimeEntry{"br", "application/x-brotli"},
    MimeEntry{"bz2", "application/x-bzip2"},
    MimeEntry{"cjs", kJavascript},
    MimeEntry{"css", "text/css; charset=utf-8"},
    MimeEntry{"csv", "text/csv; charset=utf-8"},
    MimeEntry{"doc", "application/msword"},
    MimeEntry{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    MimeEntry{"eot", "application/vnd.ms-fontobject"},
    MimeEntry{"epub", "application/epub+zip"},
    MimeEntry{"flac", "audio/flac"},
    MimeEntry{"gif", "image/gif"},
    MimeEntry{"glb", "model/gltf-binary"},
    MimeEntry{"gltf", "model/gltf+json"},
    MimeEntry{"gz", "application/gzip"},
    MimeEntry{"htm", kHtml},
    MimeEntry{"html", kHtml},
    MimeEntry{"ico", "image/vnd.microsoft.icon"},
    MimeEntry{"ics", "text/calendar; charset=utf-8"},
    MimeEntry{"jpeg", "image/jpeg"},
    MimeEntry{"jpg", "image/jpeg"},
    MimeEntry{"js", kJavascript},
    MimeEntry{"json", kJson},
    MimeEntry{"jsonld", "application/ld+json"},
    MimeEntry{"m4a", "audio/mp4"},
    MimeEntry{"map", kJson},  // source maps are JSON
    MimeEntry{"md", "text/markdown; charset=utf-8"},
    MimeEntry{"mid", "audio/midi"},
    MimeEntry{"midi", "audio/midi"},
    MimeEntry{"mjs", kJavascript},
    MimeEntry{"mkv", "video/x-matroska"},
    MimeEntry{"mov", "video/quicktime"},
    MimeEntry{"mp3", "audio/mpeg"},
    MimeEntry{"mp4", "video/mp4"},
    MimeEntry{"mpeg", "video/mpeg"},
    MimeEntry{"mpg", "video/mpeg"},
    MimeEntry{"odp", "application/vnd.oasis.opendocument.presentation"},
    MimeEntry{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    MimeEntry{"odt", "application/vnd.oasis.opendocument.text"},
    MimeEntry{"oga", "audio/ogg"},
    MimeEntry{"ogg", "audio/ogg"},
    MimeEntry{"ogv", "video/ogg"},
    MimeEntry{"opus", "audio/ogg"},  // .opus files are Ogg-encapsulated
    MimeEntry{"otf", "font/otf"},
    MimeEntry{"pdf", "application/pdf"},
    MimeEntry{"png", "image/png"},
    MimeEntry{"ppt", "application/vnd.ms-powerpoint"},
    MimeEntry{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    MimeEntry{"rtf", "application/rtf"},
    MimeEntry{"svg", "image/svg+xml; charset=utf-8"},
    MimeEntry{"tar", "application/x-tar"},
    MimeEntry{"tif", "image/tiff"},
    MimeEntry{"tiff", "image/tiff"},
    MimeEntry{"ttf", "font/ttf"},
    MimeEntry{"txt", "text/plain; charset=utf-8"},
    MimeEntry{"wasm", "application/wasm"},
    MimeEntry{"wav", "audio/wav"},
    MimeEntry{"weba", "audio/webm"},
    MimeEntry{"webm", "video/webm"},
    MimeEntry{"webmanifest", "application/manifest+json"},
    MimeEntry{"webp", "image/webp"},
    MimeEntry{"woff", "font/woff"},
    MimeEntry{"woff2", "font/woff2"},
    MimeEntry{"xhtml", "application/xhtml+xml; charset=utf-8"},
    MimeEntry{"xls", "application/vnd.ms-excel"},
    MimeEntry{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    MimeEntry{"xml", "application/xml; charset=utf-8"},
    MimeEntry{"yaml", "application/yaml; charset=utf-8"},
    MimeEntry{"yml", "application/yaml; charset=utf-8"},
    MimeEntry{"zip", "application/zip"},
};

static_assert(std::ranges::is_sorted(kMimeTable, {}, &MimeEntry::extension),
              "binary search needs kMimeTable sorted by extension");

constexpr std::size_t kLongestExtension = std::ranges::max(kMimeTable, {}, [](const MimeEntry& e) {
                                            return e.extension.size();
                                          }).extension.size();

// The extension of the last path segment, without the dot; empty when there is none. A leading
// dot (".env") names a hidden file, not an extension.
std::string_view extension_of(std::string_view path) noexcept {
  const std::size_t slash = path.find_last_of('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string_view mime_type_for(std::string_view path) noexcept {
  const std::string_view extension = extension_of(path);
  if (extension.empty() || extension.size() > kLongestExtension) return kOctetStream;
  // Lower-case into a stack buffer so the table holds one spelling and nothing allocates.
  std::array<char, kLongestExtension> buffer{};
  std::ranges::transform(extension, buffer.begin(), ascii_lower);
  const std::string_view key(buffer.data(), extension.size());
  const auto* it = std::ranges::lower_bound(kMimeTable, key, {}, &MimeEntry::extension);
  if (it == kMimeTable.end() || it->extension != key) return kOctetStream;
  return it->type;
}

}  // namespace pulsarcpp::http
