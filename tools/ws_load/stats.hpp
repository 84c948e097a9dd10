#pragma once
// What a ws_load thread counts: events in the measured window, a latency histogram, errors and
// verification failures (with the first message of each kind kept for the report). Each thread
// has its own Stats; they are merged once the threads have stopped.

#include <array>
#include <bit>
#include <cstdint>
#include <string>

namespace ws_load {

/// Log-linear histogram of microseconds: exact below 128, then 64 buckets per power of two
/// (under 1.6% error), up to 2^40 µs. Fixed size, no allocation while recording.
class Histogram {
 public:
  void record(std::int64_t us) noexcept {
    const std::uint64_t v = us < 0 ? 0 : static_cast<std::uint64_t>(us);
    ++buckets_[index(v)];
    ++count_;
    if (v > max_) max_ = v;
  }

  void merge(const Histogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    if (other.max_ > max_) max_ = other.max_;
  }

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t max() const noexcept { return max_; }

  /// The value at quantile q (0..1): the middle of its bucket, never above the maximum.
  std::uint64_t percentile(double q) const noexcept {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_) + 0.5);
    if (rank < 1) rank = 1;
    if (rank > count_) rank = count_;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (seen >= rank) {
        const std::uint64_t mid = lower_bound(i) + (width(i) - 1) / 2;
        return mid < max_ ? mid : max_;
      }
    }
    return max_;
  }

 private:
  static constexpr unsigned kLinear = 128;
  static constexpr unsigned kSub = 64;
  static constexpr std::size_t kBuckets = kLinear + 40 * kSub;

  static std::size_t index(std::uint64_t v) noexcept {
    if (v < kLinear) return v;
    const unsigned msb = 63 - static_cast<unsigned>(std::countl_zero(v));
    const unsigned shift = msb - 6;  // v >> shift lies in [64, 128)
    const std::size_t i = kLinear + (shift - 1) * kSub + ((v >> shift) - kSub);
    return i < kBuckets ? i : kBuckets - 1;
  }
  static std::uint64_t lower_bound(std::size_t i) noexcept {
    if (i < kLinear) return i;
    const std::size_t shift = (i - kLinear) / kSub + 1;
    return (kSub + (i - kLinear) % kSub) << shift;
  }
  static std::uint64_t width(std::size_t i) noexcept {
    return i < kLinear ? 1 : std::uint64_t{1} << ((i - kLinear) / kSub + 1);
  }

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

struct Stats {
  std::uint64_t counted = 0;   // messages / deliveries / upgrades in the measured window
  std::uint64_t sent = 0;      // messages sent, every phase
  std::uint64_t received = 0;  // messages received, every phase
  std::uint64_t errors = 0;
  std::uint64_t failures = 0;  // verification failures
  std::uint64_t lost = 0;      // messages never received (also counted in failures)
  std::string first_error;
  std::string first_failure;
  Histogram latency;

  void error(const std::string& what) {
    if (errors++ == 0) first_error = what;
  }
  void failure(const std::string& what, std::uint64_t n = 1) {
    if (failures == 0) first_failure = what;
    failures += n;
  }

  void merge(const Stats& o) {
    counted += o.counted;
    sent += o.sent;
    received += o.received;
    if (errors == 0 && o.errors != 0) first_error = o.first_error;
    if (failures == 0 && o.failures != 0) first_failure = o.first_failure;
    errors += o.errors;
    failures += o.failures;
    lost += o.lost;
    latency.merge(o.latency);
  }
};

}  // namespace ws_load
