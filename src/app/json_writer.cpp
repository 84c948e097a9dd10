#include "app/json_writer.hpp"

#include <charconv>
#include <cstdint>

namespace pulsarcpp::detail {
namespace {

// True for bytes that dump() writes as they are: printable ASCII but '"' and '\'.
constexpr bool plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

void append_escaped(std::string& out, const std::string& text) {
  std::size_t run = 0;
  while (run < text.size() && plain(static_cast<unsigned char>(text[run]))) ++run;
  if (run < text.size()) {
    // Escapes and UTF-8 checks follow nlohmann's rules exactly; leave them to it.
    out.append(nlohmann::json(text).dump());
    return;
  }
  out.push_back('"');
  out.append(text);
  out.push_back('"');
}

template <class Integer>
void append_integer(std::string& out, Integer number) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, end);
}

}  // namespace

void append_json(std::string& out, const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const nlohmann::json::object_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        append_escaped(out, key);
        out.push_back(':');
        append_json(out, member);
      }
      out.push_back('}');
      return;
    }
    case Type::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, element);
      }
      out.push_back(']');
      return;
    }
    case Type::string:
      append_escaped(out, value.get_ref<const std::string&>());
      return;
    case Type::boolean:
      out.append(value.get<bool>() ? "true" : "false");
      return;
    case Type::null:
      out.append("null");
      return;
    case Type::number_integer:
      append_integer(out, value.get<std::int64_t>());
      return;
    case Type::number_unsigned:
      append_integer(out, value.get<std::uint64_t>());
      return;
    case Type::number_float:
    case Type::binary:
    case Type::discarded:
      out.append(value.dump());
      return;
  }
}

}  // namespace pulsarcpp::detail
