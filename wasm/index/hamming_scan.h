// Top-k scan by Hamming distance over packed sign-bit rows: the hot loop of binary storage.
#pragma once
#include <cstddef>
#include <cstdint>

#include "index/topk.h"

namespace wasmbed::index {

// Scans n contiguous rows of `words` 64-bit words against the query bits q and offers each row
// to `top` as (-distance, slot0 + row). `worst` is the admission threshold carried between calls
// (blocks): UINT32_MAX until top is full, then the distance of its worst kept row; a row needs
// strictly fewer differing bits to enter (an equal count loses the tie to the earlier slot, which
// is what TopK's smaller-key rule would decide too). `allow` (may be null) is a slot bitmap.
void hamming_scan(const uint64_t* rows, size_t n, size_t words, const uint64_t* q, size_t slot0,
                  const uint64_t* allow, TopK& top, uint32_t& worst);

}  // namespace wasmbed::index
