#include "common/linear.h"

#include "common/simd.h"
#include "pooling/normalize.h"

namespace wasmbed {

namespace {

// Computes the 4x4 block y[r0..r0+4) x [o0..o0+4); all 4 rows and outputs exist.
inline void block4x4(const float* x, size_t in, const float* w, size_t r0, size_t o0, float acc[4][4]) {
  size_t i = 0;
#if WASMBED_SIMD
  simd::f32x4 a[4][4];
  for (auto& row : a)
    for (auto& v : row) v = simd::splat(0.0f);
  for (; i + 4 <= in; i += 4) {
    simd::f32x4 xv[4], wv[4];
    for (int r = 0; r < 4; ++r) xv[r] = simd::load(x + (r0 + r) * in + i);
    for (int o = 0; o < 4; ++o) wv[o] = simd::load(w + (o0 + o) * in + i);
    for (int r = 0; r < 4; ++r)
      for (int o = 0; o < 4; ++o) a[r][o] = simd::fma(xv[r], wv[o], a[r][o]);
  }
  for (int r = 0; r < 4; ++r)
    for (int o = 0; o < 4; ++o) acc[r][o] = simd::hsum(a[r][o]);
#else
  for (int r = 0; r < 4; ++r)
    for (int o = 0; o < 4; ++o) acc[r][o] = 0.0f;
#endif
  for (; i < in; ++i)
    for (int r = 0; r < 4; ++r)
      for (int o = 0; o < 4; ++o) acc[r][o] += x[(r0 + r) * in + i] * w[(o0 + o) * in + i];
}

}  // namespace

void linear(const float* x, size_t rows, size_t in, const float* w, const float* bias, size_t out, float* y) {
  const size_t rows4 = rows - rows % 4, out4 = out - out % 4;
  for (size_t r0 = 0; r0 < rows4; r0 += 4) {
    for (size_t o0 = 0; o0 < out4; o0 += 4) {
      float acc[4][4];
      block4x4(x, in, w, r0, o0, acc);
      for (int r = 0; r < 4; ++r)
        for (int o = 0; o < 4; ++o) y[(r0 + r) * out + o0 + o] = acc[r][o] + (bias ? bias[o0 + o] : 0.0f);
    }
  }
  // Edges: leftover rows (all outputs) and leftover outputs (block rows), one dot product each.
  for (size_t r = 0; r < rows; ++r) {
    const size_t o_begin = r < rows4 ? out4 : 0;
    for (size_t o = o_begin; o < out; ++o)
      y[r * out + o] = dot(x + r * in, w + o * in, in) + (bias ? bias[o] : 0.0f);
  }
}

}  // namespace wasmbed
