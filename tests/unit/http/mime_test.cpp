#include "http/mime.hpp"

#include <gtest/gtest.h>

namespace pulsarcpp::http {
namespace {

TEST(MimeTypeFor, TextTypesCarryUtf8Charset) {
  EXPECT_EQ(mime_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("index.htm"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("site.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("app.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("data.json"), "application/json; charset=utf-8");
  EXPECT_EQ(mime_type_for("notes.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(mime_type_for("table.csv"), "text/csv; charset=utf-8");
  EXPECT_EQ(mime_type_for("feed.xml"), "application/xml; charset=utf-8");
  EXPECT_EQ(mime_type_for("logo.svg"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(mime_type_for("README.md"), "text/markdown; charset=utf-8");
}

TEST(MimeTypeFor, BinaryTypes) {
  EXPECT_EQ(mime_type_for("a.png"), "image/png");
  EXPECT_EQ(mime_type_for("a.jpg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("a.jpeg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("a.gif"), "image/gif");
  EXPECT_EQ(mime_type_for("a.webp"), "image/webp");
  EXPECT_EQ(mime_type_for("a.avif"), "image/avif");
  EXPECT_EQ(mime_type_for("favicon.ico"), "image/vnd.microsoft.icon");
  EXPECT_EQ(mime_type_for("a.bmp"), "image/bmp");
  EXPECT_EQ(mime_type_for("a.tiff"), "image/tiff");
  EXPECT_EQ(mime_type_for("a.woff"), "font/woff");
  EXPECT_EQ(mime_type_for("a.woff2"), "font/woff2");
  EXPECT_EQ(mime_type_for("a.ttf"), "font/ttf");
  EXPECT_EQ(mime_type_for("a.otf"), "font/otf");
  EXPECT_EQ(mime_type_for("a.eot"), "application/vnd.ms-fontobject");
  EXPECT_EQ(mime_type_for("a.mp3"), "audio/mpeg");
  EXPECT_EQ(mime_type_for("a.wav"), "audio/wav");
  EXPECT_EQ(mime_type_for("a.ogg"), "audio/ogg");
  EXPECT_EQ(mime_type_for("a.oga"), "audio/ogg");
  EXPECT_EQ(mime_type_for("a.flac"), "audio/flac");
  EXPECT_EQ(mime_type_for("a.m4a"), "audio/mp4");
  EXPECT_EQ(mime_type_for("a.aac"), "audio/aac");
  EXPECT_EQ(mime_type_for("a.opus"), "audio/ogg");
  EXPECT_EQ(mime_type_for("a.mp4"), "video/mp4");
  EXPECT_EQ(mime_type_for("a.webm"), "video/webm");
  EXPECT_EQ(mime_type_for("a.ogv"), "video/ogg");
  EXPECT_EQ(mime_type_for("a.mov"), "video/quicktime");
  EXPECT_EQ(mime_type_for("a.mkv"), "video/x-matroska");
  EXPECT_EQ(mime_type_for("a.avi"), "video/x-msvideo");
  EXPECT_EQ(mime_type_for("a.pdf"), "application/pdf");
  EXPECT_EQ(mime_type_for("a.zip"), "application/zip");
  EXPECT_EQ(mime_type_for("a.gz"), "application/gzip");
  EXPECT_EQ(mime_type_for("a.tar"), "application/x-tar");
  EXPECT_EQ(mime_type_for("a.br"), "application/x-brotli");
  EXPECT_EQ(mime_type_for("a.7z"), "application/x-7z-compressed");
  EXPECT_EQ(mime_type_for("a.wasm"), "application/wasm");
  EXPECT_EQ(mime_type_for("a.js.map"), "application/json; charset=utf-8");
  EXPECT_EQ(mime_type_for("site.webmanifest"), "application/manifest+json");
  EXPECT_EQ(mime_type_for("a.ics"), "text/calendar; charset=utf-8");
  EXPECT_EQ(mime_type_for("a.rtf"), "application/rtf");
  EXPECT_EQ(mime_type_for("a.epub"), "application/epub+zip");
  EXPECT_EQ(mime_type_for("a.doc"), "application/msword");
  EXPECT_EQ(mime_type_for("a.docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(mime_type_for("a.xls"), "application/vnd.ms-excel");
  EXPECT_EQ(mime_type_for("a.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(mime_type_for("a.ppt"), "application/vnd.ms-powerpoint");
  EXPECT_EQ(mime_type_for("a.pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation");
}

TEST(MimeTypeFor, ExtensionIsCaseInsensitive) {
  EXPECT_EQ(mime_type_for("INDEX.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("Photo.JpEg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("font.WOFF2"), "font/woff2");
}

TEST(MimeTypeFor, UsesTheLastSegmentAndLastDot) {
  EXPECT_EQ(mime_type_for("/public/assets/app.min.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("/dir.html/file"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("/v1.2/archive.tar.gz"), "application/gzip");
  EXPECT_EQ(mime_type_for("/a/b/c.png"), "image/png");
}

TEST(MimeTypeFor, UnknownOrMissingExtensionIsOctetStream) {
  constexpr std::string_view kOctet = "application/octet-stream";
  EXPECT_EQ(mime_type_for(""), kOctet);
  EXPECT_EQ(mime_type_for("/"), kOctet);
  EXPECT_EQ(mime_type_for("Makefile"), kOctet);
  EXPECT_EQ(mime_type_for("file."), kOctet);
  EXPECT_EQ(mime_type_for(".html"), kOctet);  // a dotfile, not an extension
  EXPECT_EQ(mime_type_for("/x/.env"), kOctet);
  EXPECT_EQ(mime_type_for("a.unknownext"), kOctet);
  EXPECT_EQ(mime_type_for("a.webmanifestx"), kOctet);  // longer than any known extension
  EXPECT_EQ(mime_type_for("a.htmlx"), kOctet);
  EXPECT_EQ(mime_type_for("a.ht"), kOctet);
  EXPECT_EQ(mime_type_for("a.0"), kOctet);
  EXPECT_EQ(mime_type_for(std::string_view("a.js\0", 5)), kOctet);
}

}  // namespace
}  // namespace pulsarcpp::http
