#include "pooling/normalize.h"

#include <algorithm>
#include <cmath>

#include "common/simd.h"

namespace wasmbed {

float dot(const float* a, const float* b, size_t n) {
  size_t i = 0;
  float sum = 0.0f;
#if WASMBED_SIMD
  simd::f32x4 acc0 = simd::splat(0.0f), acc1 = simd::splat(0.0f);
  for (; i + 8 <= n; i += 8) {
    acc0 = simd::fma(simd::load(a + i), simd::load(b + i), acc0);
    acc1 = simd::fma(simd::load(a + i + 4), simd::load(b + i + 4), acc1);
  }
  for (; i + 4 <= n; i += 4) acc0 = simd::fma(simd::load(a + i), simd::load(b + i), acc0);
  sum = simd::hsum(simd::add(acc0, acc1));
#endif
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

void l2_normalize_rows(float* data, size_t rows, size_t dim) {
  for (size_t r = 0; r < rows; ++r) {
    float* row = data + r * dim;
    const float norm = std::sqrt(dot(row, row, dim));
    const float scale = 1.0f / std::max(norm, 1e-12f);
    size_t i = 0;
#if WASMBED_SIMD
    const simd::f32x4 s = simd::splat(scale);
    for (; i + 4 <= dim; i += 4) simd::store(row + i, simd::mul(simd::load(row + i), s));
#endif
    for (; i < dim; ++i) row[i] *= scale;
  }
}

}  // namespace wasmbed
