#pragma once
// What each mode sends and how it checks what comes back. A message is counted only after it
// passed every check: right frame type, right size, every byte as sent, in order.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "client.hpp"

namespace ws_load {

namespace detail {
inline Opcode data_opcode(const Options& o) {
  return o.binary ? Opcode::binary : Opcode::text;
}
}  // namespace detail

// --- echo -------------------------------------------------------------------------------------

/// Each client keeps --in-flight messages outstanding; each echo must be the oldest one, byte
/// for byte. Counts round trips; latency is send to echo.
class EchoBehaviour final : public Behaviour {
 public:
  explicit EchoBehaviour(const Options& o) : opt_(o) {}

  void on_open(Worker& w, Conn& c, std::int64_t now) override {
    c.sent_at.assign(opt_.in_flight, 0);
    if (w.sending()) fill(w, c, now);
  }

  void on_phase(Worker& w, Phase p) override {
    const std::int64_t now = now_us();
    if (p == Phase::warmup) {
      for (auto& c : w.conns()) {
        if (c->state == Conn::State::open) fill(w, *c, now);
      }
    } else if (p == Phase::close) {
      // Connections the server kept open but did not answer in full.
      for (auto& c : w.conns()) {
        const std::uint64_t missing = c->send_seq - c->recv_seq;
        if (missing == 0 || c->dropped) continue;
        w.stats().failure(std::to_string(missing) + " echo(es) never came back", missing);
        w.stats().lost += missing;
      }
    }
  }

  void on_message(Worker& w, Conn& c, Opcode opcode, std::string_view payload,
                  std::int64_t now) override {
    Stats& st = w.stats();
    if (c.recv_seq == c.send_seq) {
      st.failure("a message arrived with no echo outstanding");
      return;
    }
    const std::int64_t sent = c.sent_at[c.recv_seq % opt_.in_flight];
    std::string& expected = w.scratch();
    encode_payload(expected.data(), expected.size(), Stamp{c.id, c.recv_seq, sent});
    ++c.recv_seq;
    if (opcode != detail::data_opcode(opt_) || payload != std::string_view(expected)) {
      st.failure(opcode != detail::data_opcode(opt_)
                     ? "echo with the wrong frame type"
                     : "echo differs from the oldest message in flight (changed or reordered)");
    } else if (w.measuring()) {
      ++st.counted;
      st.latency.record(now - sent);
    }
    if (w.sending()) fill(w, c, now);
  }

  bool drained(Worker& w) override {
    for (auto& c : w.conns()) {
      if (c->fd >= 0 && c->send_seq != c->recv_seq) return false;
    }
    return true;
  }

 private:
  void fill(Worker& w, Conn& c, std::int64_t now) {
    std::string& payload = w.scratch();
    while (c.send_seq - c.recv_seq < opt_.in_flight) {
      encode_payload(payload.data(), payload.size(), Stamp{c.id, c.send_seq, now});
      c.sent_at[c.send_seq % opt_.in_flight] = now;
      w.send_frame(c, detail::data_opcode(opt_), payload);
      ++c.send_seq;
      ++w.stats().sent;
    }
  }

  const Options& opt_;
};

// --- fanout and all-to-all --------------------------------------------------------------------

/// One sender's messages in flight: how many receivers got each (a ring indexed by sequence
/// number), written by the receivers' threads, read by the sender's.
struct SenderTrack {
  SenderTrack(std::uint32_t ring, Conn* c, unsigned w)
      : counts(new std::atomic<std::uint32_t>[ring]), mask(ring - 1), conn(c), worker(w) {
    for (std::uint32_t i = 0; i < ring; ++i) counts[i].store(0, std::memory_order_relaxed);
  }
  std::unique_ptr<std::atomic<std::uint32_t>[]> counts;
  std::uint32_t mask;
  Conn* conn;
  unsigned worker;
  std::atomic<std::uint64_t> sent{0};
  std::uint64_t oldest = 0;  // first seq not yet received by everyone (sender's thread only)
};

/// fanout: one publisher, every subscriber gets every message. all-to-all: every client
/// publishes, every other client gets it. Receivers check each sender's sequence numbers arrive
/// complete and in order. A sender keeps at most --in-flight messages not yet received by
/// everyone (or, with --rate, sends on a schedule), so "max rate" never overruns the server's
/// buffers into dropped messages.
class BroadcastBehaviour final : public Behaviour {
 public:
  /// `conns` in run order; for fanout conns[0] is the publisher.
  BroadcastBehaviour(const Options& o, std::vector<Conn*> const& conns,
                     std::vector<unsigned> const& worker_of, unsigned workers)
      : opt_(o), all_to_all_(o.mode == Mode::all_to_all) {
    // fanout: every connection but the publisher; all-to-all: every client but the sender.
    receivers_ = static_cast<std::uint32_t>(conns.size() - 1);
    std::uint32_t ring = 1;
    const std::uint32_t want = o.rate > 0 ? (all_to_all_ ? 1024u : 65536u) : o.in_flight;
    while (ring < want) ring <<= 1;
    ring_ = ring;
    by_worker_.resize(workers);
    rate_start_.assign(workers, 0);
    const std::size_t senders = all_to_all_ ? conns.size() : 1;
    for (std::size_t i = 0; i < senders; ++i) {
      senders_.push_back(std::make_unique<SenderTrack>(ring, conns[i], worker_of[i]));
      by_worker_[worker_of[i]].push_back(senders_.back().get());
    }
  }

  void on_open(Worker&, Conn& c, std::int64_t) override {
    if (c.role != Role::pub) c.next_seq.assign(senders_.size(), 0);
  }

  void on_phase(Worker& w, Phase p) override {
    if (p == Phase::warmup) rate_start_[w.index()] = now_us();
    if (p != Phase::close) return;
    // Whatever a receiver still lacks now, after the drain, never arrived.
    for (auto& c : w.conns()) {
      if (c->role == Role::pub || c->dropped || c->next_seq.empty()) continue;
      std::uint64_t missing = 0;
      for (std::size_t s = 0; s < senders_.size(); ++s) {
        if (all_to_all_ && s == c->id) continue;
        const std::uint64_t sent = senders_[s]->sent.load(std::memory_order_acquire);
        if (sent > c->next_seq[s]) missing += sent - c->next_seq[s];
      }
      if (missing == 0) continue;
      w.stats().failure(std::to_string(missing) + " message(s) never reached a receiver", missing);
      w.stats().lost += missing;
    }
  }

  void on_message(Worker& w, Conn& c, Opcode opcode, std::string_view payload,
                  std::int64_t now) override {
    Stats& st = w.stats();
    if (c.role == Role::pub) {
      st.failure("the publisher received a message (publish must skip the sender)");
      return;
    }
    Stamp s;
    if (!decode_stamp(payload, s) || s.sender >= senders_.size() ||
        (all_to_all_ && s.sender == c.id)) {
      st.failure(all_to_all_ && s.sender == c.id ? "a client received its own message"
                                                 : "a message that no sender of this run sent");
      return;
    }
    SenderTrack& t = *senders_[s.sender];
    if (s.seq >= t.sent.load(std::memory_order_acquire)) {
      st.failure("a sequence number not sent yet");
      return;
    }
    std::string& expected = w.scratch();
    encode_payload(expected.data(), expected.size(), s);
    if (opcode != detail::data_opcode(opt_) || payload != std::string_view(expected)) {
      st.failure("a message with the wrong frame type, size or bytes");
      return;
    }
    std::uint32_t& next = c.next_seq[s.sender];
    if (s.seq < next) {
      st.failure("a message twice or out of order");
      return;
    }
    if (s.seq > next) {
      st.failure("a gap in the sequence numbers (lost messages)", s.seq - next);
      st.lost += s.seq - next;
    }
    next = static_cast<std::uint32_t>(s.seq + 1);
    const std::uint32_t got = t.counts[s.seq & t.mask].fetch_add(1, std::memory_order_acq_rel) + 1;
    outstanding_.fetch_sub(1, std::memory_order_acq_rel);
    if (got == receivers_ && t.worker != w.index()) w.shared().workers[t.worker]->wake();
    if (w.measuring()) {
      ++st.counted;
      st.latency.record(now - s.sent_us);
    }
  }

  void poll(Worker& w, std::int64_t now) override {
    if (!w.sending()) return;
    for (SenderTrack* t : by_worker_[w.index()]) {
      if (t->conn->state == Conn::State::open) pump(w, *t, now);
    }
  }

  int poll_timeout_ms(Worker& w, std::int64_t now) override {
    if (opt_.rate <= 0 || !w.sending()) return -1;
    int best = -1;
    for (SenderTrack* t : by_worker_[w.index()]) {
      const auto next_due =
          rate_start_[w.index()] +
          static_cast<std::int64_t>(static_cast<double>(t->sent.load()) * 1e6 / opt_.rate);
      const int ms = static_cast<int>(std::max<std::int64_t>(0, (next_due - now + 999) / 1000));
      if (best < 0 || ms < best) best = ms;
    }
    return best;
  }

  bool drained(Worker&) override { return outstanding_.load(std::memory_order_acquire) == 0; }

 private:
  void pump(Worker& w, SenderTrack& t, std::int64_t now) {
    std::uint64_t sent = t.sent.load(std::memory_order_relaxed);
    while (t.oldest < sent &&
           t.counts[t.oldest & t.mask].load(std::memory_order_acquire) >= receivers_) {
      ++t.oldest;
    }
    const std::uint64_t window = opt_.rate > 0 ? ring_ : opt_.in_flight;
    std::uint64_t due = UINT64_MAX;
    if (opt_.rate > 0) {
      due = static_cast<std::uint64_t>(static_cast<double>(now - rate_start_[w.index()]) *
                                       opt_.rate / 1e6) +
            1;
    }
    std::string& payload = w.scratch();
    const std::uint32_t sender = all_to_all_ ? t.conn->id : 0;
    while (sent - t.oldest < window && sent < due && sent <= kMaxSeq) {
      t.counts[sent & t.mask].store(0, std::memory_order_relaxed);
      outstanding_.fetch_add(receivers_, std::memory_order_acq_rel);
      encode_payload(payload.data(), payload.size(), Stamp{sender, sent, now});
      // Published before the frame leaves, so a receiver never sees a seq not counted as sent.
      t.sent.store(++sent, std::memory_order_release);
      w.send_frame(*t.conn, detail::data_opcode(opt_), payload);
      ++w.stats().sent;
    }
  }

  const Options& opt_;
  bool all_to_all_;
  std::uint32_t receivers_ = 0;
  std::uint32_t ring_ = 1;
  std::vector<std::unique_ptr<SenderTrack>> senders_;
  std::vector<std::vector<SenderTrack*>> by_worker_;
  std::vector<std::int64_t> rate_start_;      // per worker: when sending began
  std::atomic<std::int64_t> outstanding_{0};  // deliveries owed across all senders
};

// --- idle -------------------------------------------------------------------------------------

/// Opens the connections and holds them; the controller reports how many stay open.
class IdleBehaviour final : public Behaviour {
 public:
  void on_open(Worker&, Conn&, std::int64_t) override {}
  void on_message(Worker&, Conn&, Opcode, std::string_view, std::int64_t) override {}
  bool drained(Worker&) override { return true; }
};

// --- storm ------------------------------------------------------------------------------------

/// --concurrency sockets, each in a loop: connect, handshake (checked), close handshake, wait
/// for the server's FIN, again. Counts upgrades; latency is connect() to the checked 101.
class StormBehaviour final : public Behaviour {
 public:
  explicit StormBehaviour(unsigned workers) : restarts_(workers) {}

  void on_open(Worker& w, Conn& c, std::int64_t now) override {
    if (w.measuring()) {
      ++w.stats().counted;
      w.stats().latency.record(now - c.started_us);
    }
    w.begin_close(c, now);
  }
  void on_message(Worker&, Conn&, Opcode, std::string_view, std::int64_t) override {}

  void on_phase(Worker& w, Phase p) override {
    if (p != Phase::warmup) return;
    const std::int64_t now = now_us();
    for (auto& c : w.conns()) w.start_connect(*c, now);
  }

  void on_closed(Worker& w, Conn& c, std::int64_t now) override {
    // Restarted from poll(), never from inside the failing call; after an error, a pause.
    if (!w.sending()) return;
    restarts_[w.index()].push_back({&c, c.dropped ? now + 100'000 : now});
    c.dropped = false;
  }

  void poll(Worker& w, std::int64_t now) override {
    auto& mine = restarts_[w.index()];
    if (mine.empty()) return;
    std::vector<Restart> due;
    due.swap(mine);
    for (const Restart& r : due) {
      if (!w.sending()) break;
      if (r.at <= now) {
        w.start_connect(*r.conn, now);  // may fail and queue itself again
      } else {
        mine.push_back(r);
      }
    }
  }
  int poll_timeout_ms(Worker& w, std::int64_t) override {
    return restarts_[w.index()].empty() ? -1 : 1;
  }

  bool drained(Worker& w) override {
    for (auto& c : w.conns()) {
      if (c->fd >= 0) return false;
    }
    return true;
  }

 private:
  struct Restart {
    Conn* conn;
    std::int64_t at;
  };
  std::vector<std::vector<Restart>> restarts_;  // per worker
};

}  // namespace ws_load
