// Scan kernels for the vector index: float32 dot, int8 dot, Hamming distance over packed sign bits,
// and the quantizers that produce the int8 / binary codes. One row at a time; the caller loops.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/simd.h"

namespace wasmbed::index {

// Sum of a[i]*b[i] with four independent SIMD accumulators (hides add latency so the scan is
// bound by memory, not by the dependency chain).
inline float dot_f32(const float* a, const float* b, size_t n);

// Exact integer dot product of two int8 vectors.
inline int32_t dot_i8(const int8_t* a, const int8_t* b, size_t n);

// Float query times int8 codes (asymmetric rescoring when the original floats are not kept).
float dot_f32_i8(const float* q, const int8_t* codes, size_t n);

// Number of differing bits between two packed bit vectors of `words` 64-bit words.
inline uint32_t hamming(const uint64_t* a, const uint64_t* b, size_t words);

// Float query times sign vector (+1 for a set bit, -1 otherwise) of `n` dimensions.
float dot_f32_signs(const float* q, const uint64_t* bits, size_t n);

// Symmetric per-vector scalar quantization: codes[i] = round(x[i] * 127 / max|x|). Returns the
// scale max|x| / 127 so that x[i] ~= codes[i] * scale (0 for a zero vector).
float quantize_i8(const float* x, size_t n, int8_t* codes);

// Packs sign bits: bit i of the output is 1 when x[i] > 0. Unused high bits of the last word are 0.
void binarize(const float* x, size_t n, uint64_t* bits);

// Number of 64-bit words for n sign bits.
inline size_t binary_words(size_t n) { return (n + 63) / 64; }

// Plain SIMD copy of n bytes (the memory-bandwidth reference for the benchmark).
void copy_bytes(uint8_t* dst, const uint8_t* src, size_t n);

// ---- hot kernels, inline so the per-row scan loops have no call overhead

inline float dot_f32(const float* a, const float* b, size_t n) {
  size_t i = 0;
  float sum = 0.0f;
#if WASMBED_SIMD
  simd::f32x4 acc0 = simd::splat(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  for (; i + 16 <= n; i += 16) {
    acc0 = simd::fma(simd::load(a + i), simd::load(b + i), acc0);
    acc1 = simd::fma(simd::load(a + i + 4), simd::load(b + i + 4), acc1);
    acc2 = simd::fma(simd::load(a + i + 8), simd::load(b + i + 8), acc2);
    acc3 = simd::fma(simd::load(a + i + 12), simd::load(b + i + 12), acc3);
  }
  for (; i + 4 <= n; i += 4) acc0 = simd::fma(simd::load(a + i), simd::load(b + i), acc0);
  sum = simd::hsum(simd::add(simd::add(acc0, acc1), simd::add(acc2, acc3)));
#endif
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

inline int32_t dot_i8(const int8_t* a, const int8_t* b, size_t n) {
  size_t i = 0;
  int32_t sum = 0;
#if WASMBED_SIMD
  simd::i32x4 acc0 = simd::zero_i32(), acc1 = acc0;
  for (; i + 32 <= n; i += 32) {
    acc0 = simd::dot_i8x16(acc0, simd::load_bytes(a + i), simd::load_bytes(b + i));
    acc1 = simd::dot_i8x16(acc1, simd::load_bytes(a + i + 16), simd::load_bytes(b + i + 16));
  }
  for (; i + 16 <= n; i += 16) acc0 = simd::dot_i8x16(acc0, simd::load_bytes(a + i), simd::load_bytes(b + i));
  sum = simd::hsum_i32(simd::add_i32(acc0, acc1));
#endif
  for (; i < n; ++i) sum += int32_t(a[i]) * int32_t(b[i]);
  return sum;
}

inline uint32_t hamming(const uint64_t* a, const uint64_t* b, size_t words) {
  uint32_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  // Keep this scalar: clang's auto-vectorizer turns it into i64x2 lane extracts + scalar popcnt +
  // lane inserts, which V8 runs ~4x slower than plain i64.popcnt.
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
  for (; i + 4 <= words; i += 4) {
    c0 += simd::popcount64(a[i] ^ b[i]);
    c1 += simd::popcount64(a[i + 1] ^ b[i + 1]);
    c2 += simd::popcount64(a[i + 2] ^ b[i + 2]);
    c3 += simd::popcount64(a[i + 3] ^ b[i + 3]);
  }
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
  for (; i < words; ++i) c0 += simd::popcount64(a[i] ^ b[i]);
  return c0 + c1 + c2 + c3;
}

}  // namespace wasmbed::index
