#pragma once
// Whether this build runs under ThreadSanitizer, for the few places where the sanitizer must
// see a system call that io_uring would otherwise make out of its sight.

namespace pulsarcpp::net {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif
#else
inline constexpr bool kThreadSanitizer = false;
#endif

}  // namespace pulsarcpp::net
