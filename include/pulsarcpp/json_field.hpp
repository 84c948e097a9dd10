#pragma once
// JsonField: one `{"key", value}` of the object literal most handlers answer with,
// `json({{"message", "Hello, world!"}, {"id", ctx.param("id")}})`.
//
// Building an nlohmann::json for such a literal costs about eight allocations (a map node, the
// map, every string twice) only to be serialized once and thrown away. When every value is a
// scalar the json() overload taking fields is chosen instead (C++ prefers an initializer_list
// parameter for a braced list) and writes the same bytes straight from the views. Any other
// value (an nlohmann::json, a nested list, a container, a user type) makes that overload not
// viable, so those calls still build an nlohmann::json exactly as before.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace pulsarcpp {

namespace detail {

/// Types nlohmann::json stores as a string. Only these exact types, so a type that merely
/// converts to a string (nlohmann::json itself does) keeps nlohmann's meaning.
template <class T>
concept JsonStringLike = std::same_as<std::decay_t<T>, const char*> ||
                         std::same_as<std::decay_t<T>, char*> ||
                         std::same_as<std::remove_cvref_t<T>, std::string> ||
                         std::same_as<std::remove_cvref_t<T>, std::string_view>;

/// Types nlohmann::json stores as null, a boolean, a number or a string.
template <class T>
concept JsonScalar = JsonStringLike<T> || std::is_arithmetic_v<std::remove_cvref_t<T>> ||
                     std::same_as<std::remove_cvref_t<T>, std::nullptr_t>;

}  // namespace detail

class JsonField {
 public:
  enum class Kind : std::uint8_t { null, boolean, integer, unsigned_integer, floating, string };

  // Both deduced, so a braced value such as {"x"} (which nlohmann reads as an array) makes
  // this constructor not viable rather than converting.
  template <class Key, class Value>
    requires detail::JsonStringLike<Key> && detail::JsonScalar<Value>
  JsonField(Key&& key, Value&& value)  // NOLINT(google-explicit-constructor): a literal's member
      : key_(key) {
    set(std::forward<Value>(value));
  }

  std::string_view key() const noexcept { return key_; }
  Kind kind() const noexcept { return kind_; }
  bool boolean() const noexcept { return boolean_; }
  std::int64_t integer() const noexcept { return integer_; }
  std::uint64_t unsigned_integer() const noexcept { return unsigned_integer_; }
  double floating() const noexcept { return floating_; }
  std::string_view string() const noexcept { return string_; }

 private:
  template <class Value>
  void set(Value&& value) {
    using Plain = std::remove_cvref_t<Value>;
    if constexpr (detail::JsonStringLike<Value>) {
      kind_ = Kind::string;
      string_ = std::string_view(value);
    } else if constexpr (std::same_as<Plain, std::nullptr_t>) {
      kind_ = Kind::null;
    } else if constexpr (std::same_as<Plain, bool>) {
      kind_ = Kind::boolean;
      boolean_ = value;
    } else if constexpr (std::floating_point<Plain>) {
      kind_ = Kind::floating;
      floating_ = static_cast<double>(value);
    } else if constexpr (std::is_signed_v<Plain>) {
      kind_ = Kind::integer;
      integer_ = static_cast<std::int64_t>(value);
    } else {
      kind_ = Kind::unsigned_integer;
      unsigned_integer_ = static_cast<std::uint64_t>(value);
    }
  }

  std::string_view key_;
  Kind kind_ = Kind::null;
  union {
    bool boolean_;
    std::int64_t integer_ = 0;
    std::uint64_t unsigned_integer_;
    double floating_;
    std::string_view string_;
  };
};

}  // namespace pulsarcpp
