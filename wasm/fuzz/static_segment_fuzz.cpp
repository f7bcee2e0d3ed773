// libFuzzer target: arbitrary bytes fed to the static index's centroids and segment readers
// (static_format.h) must either load or throw wasmbed::Error, never crash or read out of bounds
// (ASan). The input is also tried with a valid envelope of each static kind (magic, version,
// kind, length and CRC-32 patched in) so the payload parsers get exercised; the first input byte
// picks the layout (dims, metric, storage, keep_float) the readers expect.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/error.h"
#include "index/serialize.h"
#include "index/static_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wasmbed::index;
  if (size < 1) return 0;
  StaticLayout layout;
  layout.dims = 1 + (data[0] & 0x0f) * 5;  // 1..76: both tails of the SIMD loops
  layout.metric = (data[0] & 0x10) ? Metric::kCosine : Metric::kDot;
  layout.storage = (data[0] & 0x20) ? Storage::kBinary : Storage::kInt8;
  layout.keep_float = (data[0] & 0x40) != 0;
  const uint32_t partitions = 1 + (data[0] >> 7);
  std::vector<std::vector<uint8_t>> inputs{std::vector<uint8_t>(data + 1, data + size)};
  if (size - 1 >= kHeaderBytes + kTrailerBytes) {
    for (uint32_t kind : {kKindStaticCentroids, kKindStaticSegment}) {
      std::vector<uint8_t> fixed(data + 1, data + size);
      const uint64_t payload = fixed.size() - kHeaderBytes - kTrailerBytes;
      for (int i = 0; i < 8; ++i) fixed[24 + i] = uint8_t(payload >> (8 * i));
      fixed[0] = 'W', fixed[1] = 'B', fixed[2] = 'I', fixed[3] = 'X';
      fixed[4] = uint8_t(kFormatVersion), fixed[5] = fixed[6] = fixed[7] = 0;
      for (int i = 0; i < 4; ++i) fixed[8 + i] = uint8_t(kind >> (8 * i));
      for (int i = 0; i < 4; ++i) fixed[12 + i] = uint8_t(layout.dims >> (8 * i));
      for (int i = 20; i < 24; ++i) fixed[i] = 0;
      const uint32_t crc = crc32(fixed.data(), fixed.size() - 4);
      for (int i = 0; i < 4; ++i) fixed[fixed.size() - 4 + i] = uint8_t(crc >> (8 * i));
      inputs.push_back(std::move(fixed));
    }
  }
  for (const auto& in : inputs) {
    try {
      read_centroids(in.data(), in.size(), layout, partitions);
    } catch (const wasmbed::Error&) {
    }
    try {
      size_t ids_at = 0;
      const StaticSegment s = read_segment(in.data(), in.size(), layout, 0, ids_at);
      if (ids_at > in.size()) __builtin_trap();
    } catch (const wasmbed::Error&) {
    }
  }
  return 0;
}
