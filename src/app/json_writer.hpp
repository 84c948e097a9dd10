#pragma once
// A faster serializer for nlohmann::json, used by json(): the same bytes as dump(), written
// straight into one string with a bulk copy for runs of plain characters. Values it has no fast
// path for (floating point numbers, non-ASCII strings, binary) are handed to nlohmann, so the
// output and the errors (invalid UTF-8 throws) are always nlohmann's. The same holds for object
// literals of scalars (JsonField), written without building an nlohmann::json at all.

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "pulsarcpp/json_field.hpp"

namespace pulsarcpp::detail {

void append_json(std::string& out, const nlohmann::json& value);

/// The bytes dump() gives for the nlohmann::json built from the same literal: members sorted
/// by key, the first of equal keys kept, and an empty literal written as null (`json({})`
/// value-initializes an nlohmann::json, which is null). Without building it, unless a string
/// needs escaping or a number is floating point.
void append_json(std::string& out, std::initializer_list<JsonField> fields);

}  // namespace pulsarcpp::detail
