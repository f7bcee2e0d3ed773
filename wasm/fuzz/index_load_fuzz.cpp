// libFuzzer target: arbitrary bytes fed to the vector and lexical index loaders must either load
// or throw wasmbed::Error, never crash or read out of bounds (ASan). Inputs that load are saved
// again and must round-trip to identical bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/error.h"
#include "index/inverted_index.h"
#include "index/serialize.h"
#include "index/vector_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wasmbed::index;
  // Most random inputs die at the checksum; also try the input with a valid envelope (each format
  // version) so the payload parsers get exercised: patch magic, version, length and CRC-32 into a
  // copy.
  std::vector<std::vector<uint8_t>> inputs;
  if (size >= kHeaderBytes + kTrailerBytes) {
    for (uint32_t version = 1; version <= kFormatVersion; ++version) {
      std::vector<uint8_t> fixed(data, data + size);
      const uint64_t payload = fixed.size() - kHeaderBytes - kTrailerBytes;
      for (int i = 0; i < 8; ++i) fixed[24 + i] = uint8_t(payload >> (8 * i));
      fixed[0] = 'W', fixed[1] = 'B', fixed[2] = 'I', fixed[3] = 'X';
      fixed[4] = uint8_t(version), fixed[5] = fixed[6] = fixed[7] = 0;
      const uint32_t crc = crc32(fixed.data(), fixed.size() - 4);
      for (int i = 0; i < 4; ++i) fixed[fixed.size() - 4 + i] = uint8_t(crc >> (8 * i));
      inputs.push_back(std::move(fixed));
    }
  }
  for (const std::vector<uint8_t>& in : inputs) {
    // An input of the current version saves back to itself; an older one is saved in the current
    // version, and that must round-trip.
    const bool current = in[4] == kFormatVersion;
    try {
      const VectorIndex idx = VectorIndex::load(in.data(), in.size());
      const auto saved = idx.save();
      if (current && saved != in) std::abort();
      if (!current && VectorIndex::load(saved.data(), saved.size()).save() != saved) std::abort();
    } catch (const wasmbed::Error&) {
    }
    try {
      const InvertedIndex idx = InvertedIndex::load(in.data(), in.size());
      const auto saved = idx.save();
      if (current && saved != in) std::abort();
      if (!current && InvertedIndex::load(saved.data(), saved.size()).save() != saved) std::abort();
    } catch (const wasmbed::Error&) {
    }
  }
  try {
    VectorIndex::load(data, size);
  } catch (const wasmbed::Error&) {
  }
  return 0;
}
