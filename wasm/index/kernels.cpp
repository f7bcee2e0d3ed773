#include "index/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/simd.h"

namespace wasmbed::index {



float dot_f32_i8(const float* q, const int8_t* codes, size_t n) {
  // Only used on a shortlist (k * oversample rows), so a scalar loop is enough.
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += q[i] * float(codes[i]);
  return sum;
}


float dot_f32_signs(const float* q, const uint64_t* bits, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += ((bits[i >> 6] >> (i & 63)) & 1) ? q[i] : -q[i];
  return sum;
}

float quantize_i8(const float* x, size_t n, int8_t* codes) {
  float amax = 0.0f;
  for (size_t i = 0; i < n; ++i) amax = std::max(amax, std::fabs(x[i]));
  if (!(amax > 0.0f) || !std::isfinite(amax)) {
    std::memset(codes, 0, n);
    return 0.0f;
  }
  const float inv = 127.0f / amax;
  for (size_t i = 0; i < n; ++i) {
    const float v = std::nearbyint(x[i] * inv);
    codes[i] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
  }
  return amax / 127.0f;
}

void binarize(const float* x, size_t n, uint64_t* bits) {
  const size_t words = binary_words(n);
  std::memset(bits, 0, words * sizeof(uint64_t));
  size_t i = 0;
#if WASMBED_SIMD
  // Four comparisons and one bitmask per 4 floats instead of a branch per float: binarizing the
  // query is part of every binary search, and at 10k rows it is a visible share of the query.
  for (; i + 64 <= n; i += 64) {
    uint64_t word = 0;
    for (size_t g = 0; g < 64; g += 4) word |= uint64_t(simd::positive_mask4(x + i + g)) << g;
    bits[i >> 6] = word;
  }
#endif
  for (; i < n; ++i)
    if (x[i] > 0.0f) bits[i >> 6] |= uint64_t(1) << (i & 63);
}

void copy_bytes(uint8_t* dst, const uint8_t* src, size_t n) {
  size_t i = 0;
#if WASMBED_SIMD
  for (; i + 64 <= n; i += 64) {
    const simd::v128 a = simd::load_bytes(src + i), b = simd::load_bytes(src + i + 16);
    const simd::v128 c = simd::load_bytes(src + i + 32), d = simd::load_bytes(src + i + 48);
    simd::store_bytes(dst + i, a);
    simd::store_bytes(dst + i + 16, b);
    simd::store_bytes(dst + i + 32, c);
    simd::store_bytes(dst + i + 48, d);
  }
#endif
  for (; i < n; ++i) dst[i] = src[i];
}

}  // namespace wasmbed::index
