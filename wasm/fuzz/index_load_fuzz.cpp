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
  // Most random inputs die at the checksum; also try the input with a valid envelope so the
  // payload parser gets exercised: patch length and CRC-32 into a copy.
  std::vector<uint8_t> fixed(data, data + size);
  if (fixed.size() >= kHeaderBytes + kTrailerBytes) {
    const uint64_t payload = fixed.size() - kHeaderBytes - kTrailerBytes;
    for (int i = 0; i < 8; ++i) fixed[24 + i] = uint8_t(payload >> (8 * i));
    fixed[0] = 'W', fixed[1] = 'B', fixed[2] = 'I', fixed[3] = 'X';
    fixed[4] = 1, fixed[5] = fixed[6] = fixed[7] = 0;
    const uint32_t crc = crc32(fixed.data(), fixed.size() - 4);
    for (int i = 0; i < 4; ++i) fixed[fixed.size() - 4 + i] = uint8_t(crc >> (8 * i));
  }
  for (const std::vector<uint8_t>* in : {&fixed}) {
    try {
      const VectorIndex idx = VectorIndex::load(in->data(), in->size());
      if (idx.save() != *in) std::abort();
    } catch (const wasmbed::Error&) {
    }
    try {
      const InvertedIndex idx = InvertedIndex::load(in->data(), in->size());
      if (idx.save() != *in) std::abort();
    } catch (const wasmbed::Error&) {
    }
  }
  try {
    VectorIndex::load(data, size);
  } catch (const wasmbed::Error&) {
  }
  return 0;
}
