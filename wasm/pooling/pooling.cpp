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

void truncate_rows(const float* in, size_t rows, size_t dim, size_t out_dim, bool normalize, float* out) {
  check_shape(dim, out_dim);
  // memmove: in and out may be the same buffer (in-place truncation moves rows left).
  for (size_t r = 0; r < rows; ++r) std::memmove(out + r * out_dim, in + r * dim, out_dim * sizeof(float));
  if (normalize) l2_normalize_rows(out, rows, out_dim);
}

void int8_ranges(const float* in, size_t rows, size_t dim, float* ranges) {
  if (rows == 0) fail(ErrorCode::kInvalidArgument, "int8 calibration needs at least one embedding");
  float* lo = ranges;
  float* hi = ranges + dim;
  std::memcpy(lo, in, dim * sizeof(float));
  std::memcpy(hi, in, dim * sizeof(float));
  for (size_t r = 1; r < rows; ++r) {
    const float* row = in + r * dim;
    for (size_t i = 0; i < dim; ++i) {
      lo[i] = std::min(lo[i], row[i]);
      hi[i] = std::max(hi[i], row[i]);
    }
  }
}

void quantize_int8(const float* in, size_t rows, size_t dim, const float* ranges, int8_t* out) {
  const float* lo = ranges;
  const float* hi = ranges + dim;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t i = 0; i < dim; ++i) {
      const float step = (hi[i] - lo[i]) / 255.0f;
      float q = step > 0.0f ? (in[r * dim + i] - lo[i]) / step - 128.0f : -128.0f;
      q = std::trunc(q);  // numpy astype(int8) truncates toward zero
      q = std::min(127.0f, std::max(-128.0f, q));
      out[r * dim + i] = static_cast<int8_t>(q);
    }
  }
}

void quantize_binary(const float* in, size_t rows, size_t dim, bool signed_offset, uint8_t* out) {
  const size_t bytes = (dim + 7) / 8;
  for (size_t r = 0; r < rows; ++r) {
    const float* row = in + r * dim;
    uint8_t* o = out + r * bytes;
    std::memset(o, 0, bytes);
    for (size_t i = 0; i < dim; ++i) {
      if (row[i] > 0.0f) o[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
    }
    if (signed_offset) {
      for (size_t j = 0; j < bytes; ++j) o[j] = static_cast<uint8_t>(o[j] - 128);  // int8 bit pattern of (v - 128)
    }
  }
}

}  // namespace wasmbed::pooling
