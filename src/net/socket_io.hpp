#pragma once
// The two socket chores every connection type shares: writing what is queued without blocking,
// and reading away what a closing peer still sends.

#include <cstddef>
#include <string>

namespace pulsarcpp::net {

enum class SendStatus { done, blocked, failed };

/// Sends output[sent, size) on the non-blocking socket `fd`. done: everything went, and the
/// buffer is emptied (its memory given back when it grew large); blocked: the socket is full,
/// `sent` tells how far it got (a large sent front may have been erased, resetting `sent`, so
/// keep no other offsets into `output`); failed: the connection is broken. `flags` are added
/// to MSG_NOSIGNAL (MSG_MORE: the caller closes right after, and the FIN shares the last segment).
SendStatus send_pending(int fd, std::string& output, std::size_t& sent, int flags = 0) noexcept;

/// Reads and drops whatever is readable. Returns true once the peer has finished sending (FIN)
/// or the socket failed, false when it would block.
bool discard_readable(int fd) noexcept;

}  // namespace pulsarcpp::net
