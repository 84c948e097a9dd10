#pragma once
// A doubly linked list whose links live in the elements: membership costs two pointers in the
// object and no allocation, where a hash set of pointers costs a node and a bucket per element.
// A loop keeps its open connections this way; with ten thousand idle WebSockets the difference
// is a few hundred kilobytes.

#include <cstddef>
#include <vector>

namespace pulsarcpp::net {

template <class T>
class IntrusiveList;

/// Base of an element of IntrusiveList<T>: two pointers. An element is in at most one list at
/// a time and must be erased from it before it is destroyed (the link does not know its list,
/// which would cost a third pointer).
template <class T>
class ListLink {
 protected:
  ListLink() = default;
  ~ListLink() = default;
  ListLink(const ListLink&) = delete;
  ListLink& operator=(const ListLink&) = delete;

 private:
  friend class IntrusiveList<T>;
  T* prev_ = nullptr;
  T* next_ = nullptr;
};

template <class T>
class IntrusiveList {
 public:
  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;
  ~IntrusiveList() {
    while (head_) erase(*head_);
  }

  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }

  /// True when `element` is in this list.
  bool contains(const T& element) const noexcept {
    const ListLink<T>& link = element;
    return link.prev_ != nullptr || head_ == &element;
  }

  /// Appends `element`, which must not be in any list; one already in this list stays put.
  void insert(T& element) noexcept {
    if (contains(element)) return;
    ListLink<T>& link = element;
    link.prev_ = tail_;
    link.next_ = nullptr;
    if (tail_) {
      static_cast<ListLink<T>&>(*tail_).next_ = &element;
    } else {
      head_ = &element;
    }
    tail_ = &element;
    ++size_;
  }

  /// Removes `element`; one not in this list is left alone.
  void erase(T& element) noexcept {
    if (!contains(element)) return;
    ListLink<T>& link = element;
    if (link.prev_) {
      static_cast<ListLink<T>&>(*link.prev_).next_ = link.next_;
    } else {
      head_ = link.next_;
    }
    if (link.next_) {
      static_cast<ListLink<T>&>(*link.next_).prev_ = link.prev_;
    } else {
      tail_ = link.prev_;
    }
    link.prev_ = link.next_ = nullptr;
    --size_;
  }

  /// The elements in insertion order, copied so the caller may close (and erase) each one.
  std::vector<T*> snapshot() const {
    std::vector<T*> elements;
    elements.reserve(size_);
    for (T* element = head_; element; element = static_cast<ListLink<T>&>(*element).next_) {
      elements.push_back(element);
    }
    return elements;
  }

 private:
  T* head_ = nullptr;
  T* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace pulsarcpp::net
