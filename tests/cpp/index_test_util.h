// Shared helpers for the vector index tests: seeded random data and a float64 brute-force reference.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "index/vector_index.h"

namespace wasmbed::index::testing {

// Rows drawn around a few random centres (like embeddings of a topical corpus), so that nearest
// neighbours are meaningful rather than the near-ties of isotropic noise.
inline std::vector<float> clustered_rows(size_t n, size_t dims, uint32_t seed, size_t clusters = 16) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> centres(clusters * dims);
  for (auto& c : centres) c = g(rng);
  std::vector<float> rows(n * dims);
  for (size_t r = 0; r < n; ++r) {
    const size_t c = rng() % clusters;
    for (size_t i = 0; i < dims; ++i) rows[r * dims + i] = centres[c * dims + i] + 0.8f * g(rng);
  }
  return rows;
}

// Anisotropic, embedding-like rows and queries, the recipe of tests/helpers/embedding-like-vectors.js
// (same constants, another random stream): x = MEAN m + (B z + NOISE e) / sqrt(dims), then
// x[d] *= s[d]; m a random unit mean direction (MEAN = 1.8: unrelated rows have cosine ~0.77), B a
// dims x 24 Gaussian topic basis with entries N(0, 1/24), z ~ N(0, I_24), e ~ N(0, I_dims),
// NOISE = 0.35, s[d] = exp(N(0, 0.5)) and x6 on every 97th dimension (outlier features). Queries
// paraphrase a random stored row: its (z, e) plus N(0, 0.5^2) noise on each.
struct EmbeddingLike {
  std::vector<float> rows, queries;
};
inline EmbeddingLike embedding_like(size_t n, size_t nq, size_t dims, uint32_t seed) {
  constexpr size_t kRank = 24;
  constexpr double kMean = 1.8, kNoise = 0.35, kQueryNoise = 0.5;
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<double> m(dims), B(dims * kRank), s(dims);
  double norm = 0;
  for (auto& v : m) {
    v = g(rng);
    norm += v * v;
  }
  for (auto& v : m) v /= std::sqrt(norm);
  for (auto& v : B) v = g(rng) / std::sqrt(double(kRank));
  for (size_t d = 0; d < dims; ++d) s[d] = std::exp(0.5 * g(rng)) * (d % 97 == 0 ? 6.0 : 1.0);
  auto emit = [&](const std::vector<double>& z, const std::vector<double>& e, float* out) {
    for (size_t d = 0; d < dims; ++d) {
      double t = kNoise * e[d];
      for (size_t r = 0; r < kRank; ++r) t += B[d * kRank + r] * z[r];
      out[d] = float((kMean * m[d] + t / std::sqrt(double(dims))) * s[d]);
    }
  };
  EmbeddingLike out;
  out.rows.resize(n * dims);
  out.queries.resize(nq * dims);
  std::vector<std::vector<double>> zs(n, std::vector<double>(kRank)), es(n, std::vector<double>(dims));
  for (size_t i = 0; i < n; ++i) {
    for (auto& v : zs[i]) v = g(rng);
    for (auto& v : es[i]) v = g(rng);
    emit(zs[i], es[i], out.rows.data() + i * dims);
  }
  for (size_t qi = 0; qi < nq; ++qi) {
    const size_t src = rng() % n;
    std::vector<double> z = zs[src], e = es[src];
    for (auto& v : z) v += kQueryNoise * g(rng);
    for (auto& v : e) v += kQueryNoise * g(rng);
    emit(z, e, out.queries.data() + qi * dims);
  }
  return out;
}

// (score, id) pairs best first, computed in double; cosine divides by both norms.
inline std::vector<std::pair<double, uint32_t>> brute_force(const std::vector<float>& rows, const std::vector<uint32_t>& ids,
                                                            const float* q, size_t dims, bool cosine) {
  std::vector<std::pair<double, uint32_t>> out;
  double qn = 0;
  for (size_t i = 0; i < dims; ++i) qn += double(q[i]) * q[i];
  qn = std::sqrt(qn);
  for (size_t r = 0; r < ids.size(); ++r) {
    double dot = 0, rn = 0;
    for (size_t i = 0; i < dims; ++i) {
      dot += double(rows[r * dims + i]) * q[i];
      rn += double(rows[r * dims + i]) * rows[r * dims + i];
    }
    if (cosine) dot = (rn > 0 && qn > 0) ? dot / (std::sqrt(rn) * qn) : 0.0;
    out.push_back({dot, ids[r]});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  return out;
}

// Everything a caller can observe of an index: size, slot order, every stored vector and tag list,
// and the results of a few searches (raw and rescored). Two snapshots compare equal when a refused
// operation left the index as it was.
struct Snapshot {
  size_t size = 0;
  std::vector<uint32_t> ids;
  std::vector<float> vectors;
  std::vector<std::vector<uint32_t>> tags;
  std::vector<std::pair<uint32_t, float>> hits;
  bool operator==(const Snapshot& o) const {
    return size == o.size && ids == o.ids && vectors == o.vectors && tags == o.tags && hits == o.hits;
  }
};
inline Snapshot snapshot(const VectorIndex& idx) {
  Snapshot s;
  const size_t dims = idx.config().dims;
  s.size = idx.size();
  s.ids.assign(idx.ids(), idx.ids() + idx.size());
  std::vector<float> v(dims);
  for (uint32_t id : s.ids) {
    idx.get(id, v.data());
    s.vectors.insert(s.vectors.end(), v.begin(), v.end());
    s.tags.push_back(idx.tags_of(id));
  }
  std::vector<float> q(dims);
  for (size_t qi = 0; qi < 3; ++qi) {
    for (size_t d = 0; d < dims; ++d) q[d] = std::sin(float(qi * 31 + d) * 0.7f);
    for (size_t over : {0u, 4u}) {
      SearchParams p;
      p.k = 10;
      p.oversample = over;
      for (const Hit& h : idx.search(q.data(), p)) s.hits.push_back({h.id, h.score});
    }
  }
  return s;
}

}  // namespace wasmbed::index::testing
