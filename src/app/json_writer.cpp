#include "app/json_writer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>

#include "http/swar.hpp"
#include "net/sized_append.hpp"

namespace pulsarcpp::detail {
namespace {

// True when some byte of `word` is not one dump() writes as it is: a control byte, a quote, a
// backslash, or part of a UTF-8 sequence. The swar tests with their `& ~word` masks left out:
// those only keep bytes of 0x80 and above from matching, and such bytes match here anyway.
constexpr bool has_special_byte(std::uint64_t word) noexcept {
  using http::swar::kOnes;
  const std::uint64_t control = word - kOnes * 0x20;
  const std::uint64_t quote = (word ^ (kOnes * '"')) - kOnes;
  const std::uint64_t backslash = (word ^ (kOnes * '\\')) - kOnes;
  return ((control | quote | backslash | word) & http::swar::kHighs) != 0;
}

bool all_plain(std::string_view text) noexcept {
  return !http::swar::any_word(text, 'a',
                               [](std::uint64_t word) { return has_special_byte(word); });
}

// Called with nlohmann's own strings, which the slow path hands back to nlohmann uncopied.
void append_escaped(std::string& out, const std::string& text) {
  if (!all_plain(text)) {
    // Escapes and UTF-8 checks follow nlohmann's rules exactly; leave them to it.
    out.append(nlohmann::json(text).dump());
    return;
  }
  out.push_back('"');
  out.append(text);
  out.push_back('"');
}

// Literals with more members than this are left to nlohmann rather than sorted on the heap.
constexpr std::size_t kMaxDirectFields = 16;

// The bytes of a literal can be put as they are when no string needs escaping or a UTF-8 check
// and no number is floating point (nlohmann's shortest round-trip form is its own).
bool puts_directly(std::initializer_list<JsonField> fields) noexcept {
  if (fields.size() > kMaxDirectFields) return false;
  return std::all_of(fields.begin(), fields.end(), [](const JsonField& field) {
    if (!all_plain(field.key())) return false;
    if (field.kind() == JsonField::Kind::string) return all_plain(field.string());
    return field.kind() != JsonField::Kind::floating;
  });
}

nlohmann::json to_nlohmann(const JsonField& field) {
  switch (field.kind()) {
    case JsonField::Kind::boolean:
      return field.boolean();
    case JsonField::Kind::integer:
      return field.integer();
    case JsonField::Kind::unsigned_integer:
      return field.unsigned_integer();
    case JsonField::Kind::floating:
      return field.floating();
    case JsonField::Kind::string:
      return std::string(field.string());
    case JsonField::Kind::null:
      break;
  }
  return nullptr;
}

// The object nlohmann builds from the same literal (emplace keeps the first of equal keys).
nlohmann::json to_nlohmann(std::initializer_list<JsonField> fields) {
  nlohmann::json object = nlohmann::json::object();
  for (const JsonField& field : fields) {
    object.emplace(std::string(field.key()), to_nlohmann(field));
  }
  return object;
}

template <class Sink>
void put_string(Sink& sink, std::string_view plain_text) {
  sink.put("\"");
  sink.put(plain_text);
  sink.put("\"");
}

template <class Sink>
void put_value(Sink& sink, const JsonField& field) {
  switch (field.kind()) {
    case JsonField::Kind::null:
      sink.put("null");
      return;
    case JsonField::Kind::boolean:
      sink.put(field.boolean() ? "true" : "false");
      return;
    case JsonField::Kind::integer:
      sink.put(net::Decimal(field.integer()).view());
      return;
    case JsonField::Kind::unsigned_integer:
      sink.put(net::Decimal(field.unsigned_integer()).view());
      return;
    case JsonField::Kind::string:
      put_string(sink, field.string());
      return;
    case JsonField::Kind::floating:
      return;  // never put directly, see puts_directly()
  }
}

// nlohmann keeps an object in a std::map: members come out sorted by key, and a repeated key
// keeps its first value. The fields lie in one array in literal order, so ordering equal keys
// by address puts them in literal order (a stable sort without std::stable_sort's buffer).
std::span<const JsonField*> sort_by_key(std::initializer_list<JsonField> fields,
                                        std::span<const JsonField*> order) {
  order = order.first(fields.size());
  std::transform(fields.begin(), fields.end(), order.begin(),
                 [](const JsonField& f) { return &f; });
  if (order.size() == 1) return order;  // the common single member: not worth a sort call
  std::sort(order.begin(), order.end(), [](const JsonField* a, const JsonField* b) {
    const int by_key = a->key().compare(b->key());
    return by_key != 0 ? by_key < 0 : std::less<>()(a, b);
  });
  return order;
}

// `sorted` by key; only the first of each run of equal keys is put.
template <class Sink>
void put_object(Sink& sink, std::span<const JsonField* const> sorted) {
  sink.put("{");
  const JsonField* previous = nullptr;
  for (const JsonField* field : sorted) {
    if (previous != nullptr) {
      if (previous->key() == field->key()) continue;
      sink.put(",");
    }
    previous = field;
    put_string(sink, field->key());
    sink.put(":");
    put_value(sink, *field);
  }
  sink.put("}");
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
      out.append(net::Decimal(value.get<std::int64_t>()).view());
      return;
    case Type::number_unsigned:
      out.append(net::Decimal(value.get<std::uint64_t>()).view());
      return;
    case Type::number_float:
    case Type::binary:
    case Type::discarded:
      out.append(value.dump());
      return;
  }
}

void append_json(std::string& out, std::initializer_list<JsonField> fields) {
  if (fields.size() == 0) {
    // json({}): the empty object, as nlohmann::json({}) and Pulsar's json({}) make it.
    out.append("{}");
    return;
  }
  if (!puts_directly(fields)) {
    append_json(out, to_nlohmann(fields));
    return;
  }
  std::array<const JsonField*, kMaxDirectFields> storage;
  const auto sorted = sort_by_key(fields, storage);
  net::append_sized(out, [&](auto& sink) { put_object(sink, sorted); });
}

}  // namespace pulsarcpp::detail
