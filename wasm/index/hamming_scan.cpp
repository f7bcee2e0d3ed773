#include "index/hamming_scan.h"

#include <algorithm>

#include "common/simd.h"
#include "index/kernels.h"

namespace wasmbed::index {

namespace {

bool allowed(const uint64_t* allow, size_t slot) { return !allow || ((allow[slot >> 6] >> (slot & 63)) & 1); }

// Offers one row that passed the threshold test; returns the new threshold.
inline uint32_t offer(uint32_t h, size_t slot, const uint64_t* allow, TopK& top, uint32_t worst) {
  if (!allowed(allow, slot)) return worst;
  // Fewer differing bits = more similar; negate so that the heap keeps the largest.
  top.push(-float(h), uint32_t(slot));
  return top.full() ? uint32_t(-top.threshold()) : worst;
}

// W words per row fixed at compile time: the word loop is fully unrolled and the query stays in
// locals. R rows per iteration: their popcounts are independent (more instruction-level
// parallelism), and one test of their minimum against the threshold and one loop back-edge (where
// V8 also places its interrupt check) serve all R. Measured in V8 on x86-64 (AMD EPYC), against
// R = 1: at 384 bits R = 2 is ~1.25x faster at 10k to 1M rows (R = 3 is no better); at 512 bits
// R = 2 only ties, and at 1024 bits two rows' words no longer fit the registers and R = 2 is ~15%
// slower, so rows of 512 bits and more go one at a time.
template <size_t W, size_t R>
void scan_fixed(const uint64_t* rows, size_t n, const uint64_t* qb, size_t slot0, const uint64_t* allow, TopK& top,
                uint32_t& worst_io) {
  uint64_t q[W];
  for (size_t w = 0; w < W; ++w) q[w] = qb[w];
  uint32_t worst = worst_io;
  size_t r = 0;
  for (; r + R <= n; r += R) {
    const uint64_t* row = rows + r * W;
    uint32_t h[R] = {};
    // Scalar on purpose: vectorized, clang emits i64x2 lane extracts + popcnt + inserts, which V8
    // runs several times slower than plain i64.popcnt.
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
    for (size_t w = 0; w < W; ++w)
      for (size_t j = 0; j < R; ++j) h[j] += simd::popcount64(row[j * W + w] ^ q[w]);
    uint32_t best = h[0];
    for (size_t j = 1; j < R; ++j) best = std::min(best, h[j]);
    // Nearly every row fails this test once the heap is full, so the heap is rarely touched.
    if (__builtin_expect(best < worst, 0))
      for (size_t j = 0; j < R; ++j)
        if (h[j] < worst) worst = offer(h[j], slot0 + r + j, allow, top, worst);
  }
  for (; r < n; ++r) {
    uint32_t h = 0;
    for (size_t w = 0; w < W; ++w) h += simd::popcount64(rows[r * W + w] ^ q[w]);
    if (h < worst) worst = offer(h, slot0 + r, allow, top, worst);
  }
  worst_io = worst;
}

void scan_any(const uint64_t* rows, size_t n, size_t words, const uint64_t* q, size_t slot0, const uint64_t* allow,
              TopK& top, uint32_t& worst_io) {
  uint32_t worst = worst_io;
  for (size_t r = 0; r < n; ++r) {
    const uint32_t h = hamming(rows + r * words, q, words);
    if (h < worst) worst = offer(h, slot0 + r, allow, top, worst);
  }
  worst_io = worst;
}

}  // namespace

void hamming_scan(const uint64_t* rows, size_t n, size_t words, const uint64_t* q, size_t slot0,
                  const uint64_t* allow, TopK& top, uint32_t& worst) {
  // Common embedding widths: 384 (6 words), 512 (8), 768 (12), 1024 (16).
  switch (words) {
    case 6: return scan_fixed<6, 2>(rows, n, q, slot0, allow, top, worst);
    case 8: return scan_fixed<8, 1>(rows, n, q, slot0, allow, top, worst);
    case 12: return scan_fixed<12, 1>(rows, n, q, slot0, allow, top, worst);
    case 16: return scan_fixed<16, 1>(rows, n, q, slot0, allow, top, worst);
    default: return scan_any(rows, n, words, q, slot0, allow, top, worst);
  }
}

}  // namespace wasmbed::index
