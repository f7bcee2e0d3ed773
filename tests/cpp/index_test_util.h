// Shared helpers for the vector index tests: seeded random data and a float64 brute-force reference.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

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

}  // namespace wasmbed::index::testing
