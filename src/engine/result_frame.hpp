#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/worker_loop.hpp"

/// The message a worker process sends its parent over a pipe: magic, version, payload
/// length, payload (the WorkerResult), and an FNV-1a checksum of the payload, so a short,
/// garbled or foreign message is recognised as such instead of being trusted.
namespace conc_probe::engine {

inline constexpr std::uint32_t kFrameMagic = 0x57525043;  // "CPRW" little-endian
inline constexpr std::uint16_t kFrameVersion = 4;
/// Largest payload accepted (a sample's latencies are far smaller).
inline constexpr std::uint32_t kMaxFramePayload = 16U << 20;

/// Serialises `result` into one framed message.
std::string encode_result_frame(const WorkerResult& result);

/// The decoded result, or why the bytes are not one well-formed message.
struct DecodedFrame {
  std::optional<WorkerResult> result;
  std::string problem;  ///< "short message (12 of 40 bytes)", "bad magic", ...
};

/// Decodes exactly one framed message; anything else (short, trailing bytes, bad magic,
/// version or checksum) gives a problem. Never throws.
DecodedFrame decode_result_frame(std::string_view bytes);

}  // namespace conc_probe::engine
