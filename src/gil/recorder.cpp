#include <algorithm>
#include <tuple>

#include "gil/gil_internal.hpp"

namespace conc_probe::gil {

namespace {

double to_seconds(std::int64_t ns) noexcept { return static_cast<double>(ns) * 1e-9; }

// Takes one unit of a shared budget; false once it is spent.
bool take_budget(std::atomic<std::uint64_t>& budget, std::uint64_t cap) noexcept {
  return budget.fetch_add(1, std::memory_order_relaxed) < cap;
}

}  // namespace

void ProtocolLog::append(ProtocolStep::Kind kind, unsigned thread) {
  const std::lock_guard lock(mutex_);
  steps_.push_back(ProtocolStep{kind, thread});
}

std::vector<ProtocolStep> ProtocolLog::steps() const {
  const std::lock_guard lock(mutex_);
  return steps_;
}

ThreadLedger::ThreadLedger(unsigned thread, std::atomic<std::uint64_t>* event_budget,
                           std::atomic<std::uint64_t>* hold_budget)
    : thread_(thread), event_budget_(event_budget), hold_budget_(hold_budget) {}

void ThreadLedger::acquired(std::int64_t wait_start_ns, std::int64_t now_ns, bool waited_span) {
  const std::lock_guard lock(mutex_);
  ++acquisitions_;
  wait_ns_ += now_ns - wait_start_ns;
  if (waited_span) add_event(GilEvent::Kind::Wait, wait_start_ns, now_ns);
}

void ThreadLedger::waited(std::int64_t start_ns, std::int64_t end_ns) {
  const std::lock_guard lock(mutex_);
  wait_ns_ += end_ns - start_ns;
  add_event(GilEvent::Kind::Wait, start_ns, end_ns);
}

void ThreadLedger::released(std::int64_t start_ns, std::int64_t end_ns) {
  const std::lock_guard lock(mutex_);
  hold_ns_ += end_ns - start_ns;
  if (take_budget(*hold_budget_, kMaxHoldSamples)) {
    holds_.emplace_back(end_ns, to_seconds(end_ns - start_ns));
  }
  add_event(GilEvent::Kind::Hold, start_ns, end_ns);
}

void ThreadLedger::blocked(std::int64_t start_ns, std::int64_t end_ns) {
  const std::lock_guard lock(mutex_);
  add_event(GilEvent::Kind::Io, start_ns, end_ns);
}

void ThreadLedger::forced_switch() {
  const std::lock_guard lock(mutex_);
  ++forced_switches_;
}

void ThreadLedger::add_to(GilMetrics& metrics,
                          std::vector<std::pair<std::int64_t, double>>& holds) const {
  const std::lock_guard lock(mutex_);
  metrics.acquisitions += acquisitions_;
  metrics.forced_switches += forced_switches_;
  metrics.total_wait_seconds += to_seconds(wait_ns_);
  metrics.total_hold_seconds += to_seconds(hold_ns_);
  metrics.events_dropped += events_dropped_;
  holds.insert(holds.end(), holds_.begin(), holds_.end());
}

void ThreadLedger::append_events(std::vector<GilEvent>& out) const {
  const std::lock_guard lock(mutex_);
  out.insert(out.end(), events_.begin(), events_.end());
}

// Caller holds mutex_.
void ThreadLedger::add_event(GilEvent::Kind kind, std::int64_t start_ns, std::int64_t end_ns) {
  if (event_budget_ == nullptr) return;
  if (!take_budget(*event_budget_, kMaxEvents)) {
    ++events_dropped_;
    return;
  }
  events_.push_back(GilEvent{thread_, kind, start_ns, end_ns});
}

Recorder::Recorder(bool record_events)
    : origin_(std::chrono::steady_clock::now()), record_events_(record_events) {}

std::int64_t Recorder::now_ns() const noexcept {
  const auto elapsed = std::chrono::steady_clock::now() - origin_;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
}

ThreadLedger& Recorder::add_thread(unsigned thread) {
  const std::lock_guard lock(mutex_);
  ledgers_.push_back(std::make_unique<ThreadLedger>(
      thread, record_events_ ? &event_budget_ : nullptr, &hold_budget_));
  return *ledgers_.back();
}

void Recorder::fill(GilMetrics& metrics) const {
  std::vector<std::pair<std::int64_t, double>> holds;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& ledger : ledgers_) ledger->add_to(metrics, holds);
  }
  std::stable_sort(holds.begin(), holds.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  metrics.hold_seconds.reserve(metrics.hold_seconds.size() + holds.size());
  for (const auto& hold : holds) metrics.hold_seconds.push_back(hold.second);
}

std::vector<GilEvent> Recorder::events() const {
  std::vector<GilEvent> out;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& ledger : ledgers_) ledger->append_events(out);
  }
  std::sort(out.begin(), out.end(), [](const GilEvent& a, const GilEvent& b) {
    return std::tie(a.start_ns, a.thread, a.end_ns) < std::tie(b.start_ns, b.thread, b.end_ns);
  });
  return out;
}

}  // namespace conc_probe::gil
