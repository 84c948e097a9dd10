#include "app/response_recycler.hpp"

#include <array>
#include <cstddef>
#include <utility>

#include "http/swar.hpp"

namespace pulsarcpp::detail {
namespace {

// Enough for a middleware holding one response while the next is made; more would only keep
// memory that steady traffic never asks for.
constexpr std::size_t kSlots = 4;
// Larger bodies and headers are freed as usual, so a big answer does not stay on a thread.
constexpr std::size_t kMaxBodyCapacity = 4096;
constexpr std::size_t kMaxHeaderCapacity = 8;
constexpr std::size_t kMaxFieldCapacity = 256;
// What a string holds without allocating (libstdc++'s small-string buffer). A function, not a
// constexpr: clang before 15 cannot evaluate std::string in a constant expression.
std::size_t inline_capacity() noexcept {
  return std::string().capacity();
}

// Moves of strings and vectors never allocate or throw, and leave the source empty.
template <class T>
class Stack {
 public:
  bool full() const noexcept { return size_ == kSlots; }
  void push(T& value) noexcept { slots_[size_++] = std::move(value); }
  void pop_into(T& value) noexcept {
    if (size_ > 0) value = std::move(slots_[--size_]);
  }

 private:
  std::array<T, kSlots> slots_{};
  std::size_t size_ = 0;
};

struct Shelf {
  Stack<std::string> bodies;
  Stack<Headers> headers;
};

// Set once this thread's shelf is destroyed: responses destroyed later (statics at exit) then
// free their storage as usual. A plain bool, so it is still readable after thread_local objects
// with destructors are gone.
thread_local bool shelf_gone = false;

struct ShelfOwner {
  Shelf shelf;
  ~ShelfOwner() { shelf_gone = true; }
};

Shelf* this_threads_shelf() noexcept {
  if (shelf_gone) return nullptr;
  thread_local ShelfOwner owner;
  return &owner.shelf;
}

bool worth_keeping(const std::string& body) noexcept {
  return body.capacity() > inline_capacity() && body.capacity() <= kMaxBodyCapacity;
}

// The first header's strings are kept with their capacity (the next Content-Type is written
// into them); a vector whose first header is large is kept empty.
bool worth_keeping(Headers& headers) noexcept {
  if (headers.capacity() == 0 || headers.capacity() > kMaxHeaderCapacity) return false;
  if (!headers.empty() && (headers.front().first.capacity() > kMaxFieldCapacity ||
                           headers.front().second.capacity() > kMaxFieldCapacity)) {
    headers.clear();
  }
  if (headers.size() > 1) headers.erase(headers.begin() + 1, headers.end());
  return true;
}

}  // namespace

std::string recycled_body() {
  std::string body;
  if (Shelf* shelf = this_threads_shelf()) shelf->bodies.pop_into(body);
  body.clear();
  return body;
}

Headers recycled_headers(std::string_view name, std::string_view value) {
  Headers headers;
  if (Shelf* shelf = this_threads_shelf()) shelf->headers.pop_into(headers);
  if (headers.empty()) {
    headers.emplace_back(name, value);
    return headers;
  }
  // Usually the same header as last time; comparing is cheaper than rewriting.
  auto& [kept_name, kept_value] = headers.front();
  if (!http::swar::equal(kept_name, name)) kept_name.assign(name);
  if (!http::swar::equal(kept_value, value)) kept_value.assign(value);
  return headers;
}

void recycle(std::string& body, Headers& headers) noexcept {
  // Checked before the thread_local: most responses destroyed are moved-from shells.
  const bool keep_body = worth_keeping(body);
  if (!keep_body && headers.capacity() == 0) return;
  Shelf* shelf = this_threads_shelf();
  if (shelf == nullptr) return;
  if (keep_body && !shelf->bodies.full()) shelf->bodies.push(body);
  if (!shelf->headers.full() && worth_keeping(headers)) shelf->headers.push(headers);
}

}  // namespace pulsarcpp::detail
