#include "pooling/pooling.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/simd.h"
#include "pooling/normalize.h"

namespace wasmbed::pooling {

namespace {

// acc[i] += x[i]
inline void add_into(float* acc, const float* x, size_t n) {
  size_t i = 0;
#if WASMBED_SIMD
  for (; i + 4 <= n; i += 4) simd::store(acc + i, simd::add(simd::load(acc + i), simd::load(x + i)));
#endif
  for (; i < n; ++i) acc[i] += x[i];
}

// acc[i] = max(acc[i], x[i])
inline void max_into(float* acc, const float* x, size_t n) {
  size_t i = 0;
#if WASMBED_SIMD
  for (; i + 4 <= n; i += 4) simd::store(acc + i, simd::max(simd::load(acc + i), simd::load(x + i)));
#endif
  for (; i < n; ++i) acc[i] = std::max(acc[i], x[i]);
}

inline void scale(float* x, float s, size_t n) {
  size_t i = 0;
#if WASMBED_SIMD
  const simd::f32x4 v = simd::splat(s);
  for (; i + 4 <= n; i += 4) simd::store(x + i, simd::mul(simd::load(x + i), v));
#endif
  for (; i < n; ++i) x[i] *= s;
}

void check_shape(size_t dim, size_t out_dim) {
  if (dim == 0) fail(ErrorCode::kInvalidArgument, "pooling: hidden size must be > 0");
  if (out_dim == 0 || out_dim > dim) {
    fail(ErrorCode::kInvalidArgument,
         "pooling: output dimensions must be in 1.." + std::to_string(dim) + ", got " + std::to_string(out_dim));
  }
}

}  // namespace

Mode parse_mode(const char* name) {
  const std::string n = name ? name : "";
  if (n == "mean") return Mode::kMean;
  if (n == "cls" || n == "first") return Mode::kCls;
  if (n == "max") return Mode::kMax;
  if (n == "last" || n == "lasttoken") return Mode::kLast;
  fail(ErrorCode::kInvalidArgument, "unknown pooling '" + n + "' (expected mean, cls, max or last)");
}

void pool(const float* hidden, const int32_t* mask, size_t batch, size_t seq, size_t dim, Mode mode,
          size_t out_dim, bool normalize, float* out) {
  check_shape(dim, out_dim);
  if (seq == 0) fail(ErrorCode::kInvalidArgument, "pooling: sequence length must be > 0");
  // One full-width scratch row: pooling is computed on all dims, then truncated.
  std::vector<float> scratch(dim);
  float* acc = scratch.data();
  {
    for (size_t b = 0; b < batch; ++b) {
      const float* h = hidden + b * seq * dim;
      const int32_t* m = mask + b * seq;
      switch (mode) {
        case Mode::kCls:
          std::memcpy(acc, h, dim * sizeof(float));
          break;
        case Mode::kLast: {
          size_t last = 0;  // all-masked row: position 0, as torch.argmax over a zero mask gives
          for (size_t t = seq; t-- > 0;) {
            if (m[t] != 0) { last = t; break; }
          }
          std::memcpy(acc, h + last * dim, dim * sizeof(float));
          break;
        }
        case Mode::kMean: {
          std::fill(acc, acc + dim, 0.0f);
          size_t count = 0;
          for (size_t t = 0; t < seq; ++t) {
            if (m[t] == 0) continue;
            add_into(acc, h + t * dim, dim);
            ++count;
          }
          scale(acc, 1.0f / std::max(static_cast<float>(count), 1e-9f), dim);
          break;
        }
        case Mode::kMax: {
          std::fill(acc, acc + dim, -1e9f);
          for (size_t t = 0; t < seq; ++t) {
            if (m[t] != 0) max_into(acc, h + t * dim, dim);
          }
          break;
        }
        default:
          fail(ErrorCode::kInvalidArgument, "pooling: unknown mode");
      }
      std::memcpy(out + b * out_dim, acc, out_dim * sizeof(float));
    }
  }
  if (normalize) l2_normalize_rows(out, batch, out_dim);
}

}  // namespace wasmbed::pooling
