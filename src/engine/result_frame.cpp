#include "engine/result_frame.hpp"

#include <cstring>
#include <type_traits>

namespace conc_probe::engine {
namespace {

constexpr std::size_t kHeaderSize = 4 + 2 + 2 + 4;
constexpr std::size_t kTrailerSize = 8;

/// FNV-1a, 64 bit.
std::uint64_t fnv1a(std::string_view bytes) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

template <typename T>
void put(std::string& out, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

/// Reads values front to back; any read past the end marks the reader failed.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  T get() noexcept {
    T value{};
    if (!ok_ || bytes_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return value;
    }
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  std::string_view take(std::size_t count) noexcept {
    if (!ok_ || bytes_.size() - pos_ < count) {
      ok_ = false;
      return {};
    }
    pos_ += count;
    return bytes_.substr(pos_ - count, count);
  }

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::string encode_payload(const WorkerResult& result) {
  std::string out;
  put<std::uint8_t>(out, result.ok ? 1 : 0);
  put(out, result.ops);
  put(out, result.checksum);
  put(out, result.usage.cpu_seconds);
  put(out, result.usage.voluntary);
  put(out, result.usage.involuntary);
  put(out, result.usage.wait_seconds);
  put(out, result.end_ns);
  put(out, result.peak_rss_bytes);
  put(out, result.pss_bytes);
  put<std::uint8_t>(out, result.data.active ? 1 : 0);
  put(out, result.data.bytes_copied);
  put(out, result.data.move_seconds);
  put(out, result.data.minor_faults);
  put(out, static_cast<std::uint32_t>(result.latencies.size()));
  for (const double latency : result.latencies) put(out, latency);
  put(out, static_cast<std::uint32_t>(result.error.size()));
  out += result.error;
  return out;
}

std::optional<WorkerResult> decode_payload(std::string_view payload) {
  Reader in(payload);
  WorkerResult result;
  result.ok = in.get<std::uint8_t>() == 1;
  result.ops = in.get<std::uint64_t>();
  result.checksum = in.get<std::uint64_t>();
  result.usage.cpu_seconds = in.get<double>();
  result.usage.voluntary = in.get<std::int64_t>();
  result.usage.involuntary = in.get<std::int64_t>();
  result.usage.wait_seconds = in.get<double>();
  result.end_ns = in.get<std::int64_t>();
  result.peak_rss_bytes = in.get<std::uint64_t>();
  result.pss_bytes = in.get<std::uint64_t>();
  result.data.active = in.get<std::uint8_t>() == 1;
  result.data.bytes_copied = in.get<std::uint64_t>();
  result.data.move_seconds = in.get<double>();
  result.data.minor_faults = in.get<std::int64_t>();
  const auto latencies = in.get<std::uint32_t>();
  if (!in.ok() || latencies > payload.size() / sizeof(double)) return std::nullopt;
  result.latencies.reserve(latencies);
  for (std::uint32_t i = 0; i < latencies; ++i) result.latencies.push_back(in.get<double>());
  result.error = std::string(in.take(in.get<std::uint32_t>()));
  if (!in.ok() || !in.at_end()) return std::nullopt;
  return result;
}

}  // namespace

std::string encode_result_frame(const WorkerResult& result) {
  const std::string payload = encode_payload(result);
  std::string out;
  put(out, kFrameMagic);
  put(out, kFrameVersion);
  put<std::uint16_t>(out, 0);
  put(out, static_cast<std::uint32_t>(payload.size()));
  out += payload;
  put(out, fnv1a(payload));
  return out;
}

DecodedFrame decode_result_frame(std::string_view bytes) {
  if (bytes.empty()) return {std::nullopt, "no result message"};
  Reader in(bytes);
  const auto magic = in.get<std::uint32_t>();
  const auto version = in.get<std::uint16_t>();
  in.get<std::uint16_t>();
  const auto length = in.get<std::uint32_t>();
  if (!in.ok()) return {std::nullopt, "short message (" + std::to_string(bytes.size()) + " bytes)"};
  if (magic != kFrameMagic) return {std::nullopt, "malformed message (bad magic)"};
  if (version != kFrameVersion) return {std::nullopt, "message version " + std::to_string(version)};
  if (length > kMaxFramePayload) return {std::nullopt, "malformed message (length too large)"};
  const std::size_t expected = kHeaderSize + length + kTrailerSize;
  if (bytes.size() != expected) {
    return {std::nullopt, "message of " + std::to_string(bytes.size()) + " bytes, expected " +
                              std::to_string(expected)};
  }
  const std::string_view payload = in.take(length);
  if (in.get<std::uint64_t>() != fnv1a(payload)) return {std::nullopt, "message checksum mismatch"};
  auto result = decode_payload(payload);
  if (!result) return {std::nullopt, "malformed message payload"};
  return {std::move(result), {}};
}

}  // namespace conc_probe::engine
