#pragma once
// A response is made and destroyed once per request, and on the fast path its body and its
// Content-Type header are all it allocates: three allocations and three frees, as much work
// as parsing the request. So each thread keeps the storage of the last few responses destroyed
// on it and hands it to the next ones; a steady stream of requests then allocates nothing.
// Only the storage is reused, never the contents: every helper writes its own.

#include <string>
#include <string_view>

#include "pulsarcpp/response.hpp"

namespace pulsarcpp::detail {

/// An empty string, with the capacity of a destroyed response's body when one is kept.
std::string recycled_body();

/// Headers holding exactly {name, value}, in a destroyed response's storage when one is kept.
Headers recycled_headers(std::string_view name, std::string_view value);

/// Keeps the storage of a response being destroyed (moved-from ones have none). Bounded: a few
/// responses per thread, small bodies and headers only, freed when the thread ends.
void recycle(std::string& body, Headers& headers) noexcept;

}  // namespace pulsarcpp::detail
