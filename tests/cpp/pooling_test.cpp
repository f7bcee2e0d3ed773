// Pooling kernels vs a straightforward double-precision reference.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "common/error.h"
#include "pooling/pooling.h"

namespace wasmbed::pooling {
namespace {

struct Batch {
  size_t batch, seq, dim;
  std::vector<float> hidden;
  std::vector<int32_t> mask;
};

// Right-padded rows of varying length (row b has lengths[b] real tokens), plus one left-padded row.
Batch make_batch(size_t dim, const std::vector<size_t>& lengths, size_t seq, bool left_pad_last = false) {
  std::mt19937 rng(static_cast<unsigned>(dim * 31 + seq));
  std::normal_distribution<float> dist(0.0f, 2.0f);
  Batch b{lengths.size(), seq, dim, std::vector<float>(lengths.size() * seq * dim), std::vector<int32_t>(lengths.size() * seq)};
  for (float& v : b.hidden) v = dist(rng);
  for (size_t r = 0; r < b.batch; ++r) {
    for (size_t t = 0; t < seq; ++t) {
      const bool left = left_pad_last && r + 1 == b.batch;
      b.mask[r * seq + t] = left ? (t >= seq - lengths[r]) : (t < lengths[r]);
    }
  }
  return b;
}

std::vector<double> reference(const Batch& b, Mode mode, size_t r) {
  std::vector<double> out(b.dim, 0.0);
  const float* h = b.hidden.data() + r * b.seq * b.dim;
  const int32_t* m = b.mask.data() + r * b.seq;
  if (mode == Mode::kCls) {
    for (size_t i = 0; i < b.dim; ++i) out[i] = h[i];
  } else if (mode == Mode::kLast) {
    size_t last = 0;
    for (size_t t = 0; t < b.seq; ++t) if (m[t]) last = t;
    for (size_t i = 0; i < b.dim; ++i) out[i] = h[last * b.dim + i];
  } else if (mode == Mode::kMean) {
    double count = 0;
    for (size_t t = 0; t < b.seq; ++t) {
      if (!m[t]) continue;
      count += 1;
      for (size_t i = 0; i < b.dim; ++i) out[i] += h[t * b.dim + i];
    }
    for (double& v : out) v /= std::max(count, 1e-9);
  } else {
    for (double& v : out) v = -1e9;
    for (size_t t = 0; t < b.seq; ++t) {
      if (!m[t]) continue;
      for (size_t i = 0; i < b.dim; ++i) out[i] = std::max(out[i], double(h[t * b.dim + i]));
    }
  }
  return out;
}

void normalize_ref(std::vector<double>& v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += v[i] * v[i];
  s = std::max(std::sqrt(s), 1e-12);
  for (size_t i = 0; i < n; ++i) v[i] /= s;
}

TEST(Pooling, AllModesMatchDoubleReference) {
  for (size_t dim : {1u, 3u, 8u, 13u, 64u, 384u}) {
    const Batch b = make_batch(dim, {1, 5, 9, 9, 4}, 9, /*left_pad_last=*/true);
    for (Mode mode : {Mode::kMean, Mode::kCls, Mode::kMax, Mode::kLast}) {
      for (bool normalize : {false, true}) {
        for (size_t out_dim : {dim, (dim + 1) / 2}) {
          std::vector<float> out(b.batch * out_dim, 123.0f);
          pool(b.hidden.data(), b.mask.data(), b.batch, b.seq, b.dim, mode, out_dim, normalize, out.data());
          for (size_t r = 0; r < b.batch; ++r) {
            std::vector<double> want = reference(b, mode, r);
            if (normalize) normalize_ref(want, out_dim);
            for (size_t i = 0; i < out_dim; ++i) {
              EXPECT_NEAR(out[r * out_dim + i], want[i], 2e-6 * std::max(1.0, std::fabs(want[i])))
                  << "dim " << dim << " mode " << int(mode) << " row " << r << " i " << i;
            }
          }
        }
      }
    }
  }
}

TEST(Pooling, PaddingContentIsIgnored) {
  Batch b = make_batch(16, {3, 7}, 7);
  std::vector<float> a(2 * 16), c(2 * 16);
  for (Mode mode : {Mode::kMean, Mode::kMax, Mode::kLast}) {
    pool(b.hidden.data(), b.mask.data(), 2, 7, 16, mode, 16, false, a.data());
    Batch garbage = b;
    for (size_t t = 3; t < 7; ++t)
      for (size_t i = 0; i < 16; ++i) garbage.hidden[t * 16 + i] = 1e6f;  // padded positions of row 0
    pool(garbage.hidden.data(), garbage.mask.data(), 2, 7, 16, mode, 16, false, c.data());
    EXPECT_EQ(a, c) << int(mode);
  }
}

TEST(Pooling, RejectsBadShapes) {
  std::vector<float> h(8), out(8);
  std::vector<int32_t> m(2, 1);
  EXPECT_THROW(pool(h.data(), m.data(), 1, 2, 4, Mode::kMean, 5, false, out.data()), Error);
  EXPECT_THROW(pool(h.data(), m.data(), 1, 2, 4, Mode::kMean, 0, false, out.data()), Error);
  EXPECT_THROW(pool(h.data(), m.data(), 1, 0, 4, Mode::kMean, 4, false, out.data()), Error);
  EXPECT_THROW(parse_mode("median"), Error);
  EXPECT_EQ(parse_mode("lasttoken"), Mode::kLast);
}

}  // namespace
}  // namespace wasmbed::pooling
