#pragma once
// A faster serializer for nlohmann::json, used by json(): the same bytes as dump(), written
// straight into one string with a bulk copy for runs of plain characters. Values it has no fast
// path for (floating point numbers, non-ASCII strings, binary) are handed to nlohmann, so the
// output and the errors (invalid UTF-8 throws) are always nlohmann's.

#include <nlohmann/json.hpp>
#include <string>

namespace pulsarcpp::detail {

void append_json(std::string& out, const nlohmann::json& value);

}  // namespace pulsarcpp::detail
