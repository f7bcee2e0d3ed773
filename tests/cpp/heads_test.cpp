#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "common/error.h"
#include "common/linear.h"
#include "heads/bge_m3.h"

namespace wasmbed::heads {
namespace {

std::vector<float> random_vec(size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

TEST(Linear, MatchesDoubleReferenceOnOddShapes) {
  std::mt19937 rng(3);
  for (auto [rows, in, out] : std::vector<std::tuple<size_t, size_t, size_t>>{{1, 1, 1}, {3, 5, 7}, {4, 8, 4}, {9, 33, 17}, {16, 64, 12}}) {
    auto x = random_vec(rows * in, rng), w = random_vec(out * in, rng), b = random_vec(out, rng);
    std::vector<float> y(rows * out);
    linear(x.data(), rows, in, w.data(), b.data(), out, y.data());
    for (size_t r = 0; r < rows; ++r)
      for (size_t o = 0; o < out; ++o) {
        double ref = b[o];
        for (size_t i = 0; i < in; ++i) ref += double(x[r * in + i]) * w[o * in + i];
        EXPECT_NEAR(y[r * out + o], ref, 1e-4) << rows << "x" << in << "x" << out;
      }
  }
}

TEST(Sparse, MaxOverRepeatsDropsSpecialsAndNonPositive) {
  // dim 2, w = (1, 0), b = 0: a token's weight is relu(hidden[0]).
  const std::vector<float> hidden = {9, 0,  0.5f, 0,  0.25f, 0,  2, 0,  -1, 0,  0.75f, 0,  7, 0,  3, 0};
  const std::vector<int32_t> ids = {0, 10, 11, 10, 12, 11, 2, 1};  // <s> a b a c b </s> <pad>
  const std::vector<int32_t> mask = {1, 1, 1, 1, 1, 1, 1, 0};
  const float w[2] = {1, 0};
  SparseVector s = sparse_weights({hidden.data(), ids.data(), mask.data(), 8, 2}, w, 0.0f, {0, 1, 2, 3});
  ASSERT_EQ(s.ids, (std::vector<int32_t>{10, 11}));  // 12 has weight relu(-1) = 0: dropped
  EXPECT_FLOAT_EQ(s.weights[0], 2.0f);                 // max(0.5, 2)
  EXPECT_FLOAT_EQ(s.weights[1], 0.75f);                // max(0.25, 0.75)
}

TEST(Colbert, DropsClsAndPaddingAndNormalizes) {
  std::mt19937 rng(5);
  const size_t len = 6, dim = 8, out_dim = 5;
  auto hidden = random_vec(len * dim, rng), W = random_vec(out_dim * dim, rng), b = random_vec(out_dim, rng);
  const std::vector<int32_t> ids = {0, 5, 6, 2, 1, 1};
  const std::vector<int32_t> mask = {1, 1, 1, 1, 0, 0};
  std::vector<float> out((len - 1) * out_dim);
  size_t n = colbert_vectors({hidden.data(), ids.data(), mask.data(), len, dim}, W.data(), b.data(), out_dim, out.data());
  ASSERT_EQ(n, 3u);  // 4 tokens incl. specials -> 3 vectors (</s> kept)
  for (size_t v = 0; v < n; ++v) {
    std::vector<double> ref(out_dim);
    double norm = 0;
    for (size_t o = 0; o < out_dim; ++o) {
      ref[o] = b[o];
      for (size_t i = 0; i < dim; ++i) ref[o] += double(hidden[(v + 1) * dim + i]) * W[o * dim + i];
      norm += ref[o] * ref[o];
    }
    for (size_t o = 0; o < out_dim; ++o) EXPECT_NEAR(out[v * out_dim + o], ref[o] / std::sqrt(norm), 1e-5);
  }
}

TEST(Sparse, FromGraphTokenWeightsMatchesHiddenPath) {
  // Per-token weights as an ONNX export with the head in the graph would emit them.
  const std::vector<float> hidden = {9, 0,  0.5f, 0,  0.25f, 0,  2, 0,  -1, 0,  0.75f, 0,  7, 0,  3, 0};
  const std::vector<int32_t> ids = {0, 10, 11, 10, 12, 11, 2, 1};
  const std::vector<int32_t> mask = {1, 1, 1, 1, 1, 1, 1, 0};
  const float w[2] = {1, 0};
  std::vector<float> token_weights(8);
  for (size_t t = 0; t < 8; ++t) token_weights[t] = std::max(0.0f, hidden[t * 2]);
  SparseVector a = sparse_weights({hidden.data(), ids.data(), mask.data(), 8, 2}, w, 0.0f, {0, 1, 2, 3});
  SparseVector b = sparse_from_token_weights(token_weights.data(), ids.data(), mask.data(), 8, {0, 1, 2, 3});
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.weights, b.weights);
}

TEST(Colbert, FromGraphProjectionMatchesHiddenPath) {
  std::mt19937 rng(7);
  const size_t len = 6, dim = 8, out_dim = 5;
  auto hidden = random_vec(len * dim, rng), W = random_vec(out_dim * dim, rng), b = random_vec(out_dim, rng);
  const std::vector<int32_t> ids = {0, 5, 6, 2, 1, 1};
  const std::vector<int32_t> mask = {1, 1, 1, 1, 0, 0};
  // linear(H[1:]) for every position, padding included, as the graph computes it.
  std::vector<float> projected((len - 1) * out_dim);
  linear(hidden.data() + dim, len - 1, dim, W.data(), b.data(), out_dim, projected.data());
  std::vector<float> a((len - 1) * out_dim), c((len - 1) * out_dim);
  size_t na = colbert_vectors({hidden.data(), ids.data(), mask.data(), len, dim}, W.data(), b.data(), out_dim, a.data());
  size_t nc = colbert_from_projected(projected.data(), mask.data(), len, out_dim, c.data());
  ASSERT_EQ(na, 3u);
  ASSERT_EQ(nc, 3u);
  for (size_t i = 0; i < na * out_dim; ++i) EXPECT_NEAR(a[i], c[i], 1e-6);
}

TEST(Scores, HandComputed) {
  const int32_t qi[] = {3, 7, 9}, pi[] = {1, 7, 9, 12};
  const float qw[] = {0.5f, 0.25f, 2.0f}, pw[] = {9.0f, 4.0f, 0.5f, 1.0f};
  EXPECT_FLOAT_EQ(sparse_score(qi, qw, 3, pi, pw, 4), 0.25f * 4.0f + 2.0f * 0.5f);
  EXPECT_FLOAT_EQ(sparse_score(qi, qw, 3, pi, pw, 0), 0.0f);

  // q = {(1,0), (0,1)}, p = {(0.6,0.8), (1,0)}: maxes 1 and 0.8 -> mean 0.9
  const float q[] = {1, 0, 0, 1}, p[] = {0.6f, 0.8f, 1, 0};
  EXPECT_FLOAT_EQ(colbert_score(q, 2, p, 2, 2), 0.9f);

  const float s[] = {0.6260f, 0.1956f, 0.7796f}, w[] = {0.4f, 0.2f, 0.4f};
  EXPECT_NEAR(weighted_score(s, w, 3), (0.4 * 0.6260 + 0.2 * 0.1956 + 0.4 * 0.7796) / 1.0, 1e-6);
  const float zero[] = {0, 0, 0};
  EXPECT_THROW(weighted_score(s, zero, 3), Error);
}

}  // namespace
}  // namespace wasmbed::heads
