#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "pooling/normalize.h"

namespace wasmbed {
namespace {

TEST(Normalize, MatchesDoublePrecisionReference) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  for (size_t dim : {1u, 3u, 4u, 7u, 8u, 384u, 1023u}) {
    const size_t rows = 5;
    std::vector<float> x(rows * dim);
    for (float& v : x) v = dist(rng);
    std::vector<float> y = x;
    l2_normalize_rows(y.data(), rows, dim);
    for (size_t r = 0; r < rows; ++r) {
      double norm = 0;
      for (size_t i = 0; i < dim; ++i) norm += double(x[r * dim + i]) * x[r * dim + i];
      norm = std::sqrt(norm);
      for (size_t i = 0; i < dim; ++i) EXPECT_NEAR(y[r * dim + i], x[r * dim + i] / norm, 1e-6) << dim;
    }
  }
}

TEST(Normalize, ZeroRowStaysZero) {
  std::vector<float> x(16, 0.0f);
  l2_normalize_rows(x.data(), 2, 8);
  for (float v : x) EXPECT_EQ(v, 0.0f);
}

TEST(Dot, HandlesTails) {
  std::vector<float> a(13), b(13);
  double ref = 0;
  for (int i = 0; i < 13; ++i) {
    a[i] = 0.5f * i;
    b[i] = 1.0f - i;
    ref += double(a[i]) * b[i];
  }
  EXPECT_NEAR(dot(a.data(), b.data(), 13), ref, 1e-4);
}

}  // namespace
}  // namespace wasmbed
