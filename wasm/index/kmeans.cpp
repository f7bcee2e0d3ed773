#include "index/kmeans.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "common/error.h"
#include "index/kernels.h"

namespace wasmbed::index {

uint64_t splitmix64_next(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace {

// Uniform double in [0, 1) from the top 53 bits.
double uniform(uint64_t& state) { return double(splitmix64_next(state) >> 11) * (1.0 / 9007199254740992.0); }

float sq_dist(const float* a, const float* b, size_t dims) {
  // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b would lose precision for near points; subtract directly.
  float s = 0.0f;
  for (size_t d = 0; d < dims; ++d) {
    const float t = a[d] - b[d];
    s += t * t;
  }
  return s;
}

// k-means++: the first centroid uniformly, each next one with probability proportional to the
// squared distance to the nearest chosen centroid.
std::vector<float> seed_plus_plus(const float* rows, size_t n, size_t dims, size_t k, uint64_t& rng) {
  std::vector<float> c(k * dims);
  std::vector<float> nearest(n, std::numeric_limits<float>::infinity());
  // |x - c|^2 = |x|^2 + |c|^2 - 2 x.c through the SIMD dot (sampling weights need no more precision).
  std::vector<float> norms(n);
  for (size_t i = 0; i < n; ++i) norms[i] = dot_f32(rows + i * dims, rows + i * dims, dims);
  size_t pick = size_t(splitmix64_next(rng) % n);
  for (size_t j = 0; j < k; ++j) {
    std::memcpy(&c[j * dims], rows + pick * dims, dims * sizeof(float));
    double total = 0.0;
    for (size_t i = 0; i < n; ++i) {
      const float d = norms[i] + norms[pick] - 2.0f * dot_f32(rows + i * dims, &c[j * dims], dims);
      nearest[i] = std::min(nearest[i], std::max(d, 0.0f));
      total += nearest[i];
    }
    if (j + 1 == k) break;
    if (!(total > 0.0)) {  // fewer distinct rows than k: take the next rows in order
      pick = (pick + 1) % n;
      continue;
    }
    double target = uniform(rng) * total;
    pick = n - 1;
    for (size_t i = 0; i < n; ++i) {
      target -= nearest[i];
      if (target < 0.0) {
        pick = i;
        break;
      }
    }
  }
  return c;
}

}  // namespace

std::vector<float> centroid_half_norms(const float* centroids, size_t k, size_t dims) {
  std::vector<float> h(k);
  for (size_t j = 0; j < k; ++j) h[j] = 0.5f * dot_f32(centroids + j * dims, centroids + j * dims, dims);
  return h;
}

uint32_t nearest_centroid(const float* x, const float* centroids, const float* half_norms, size_t k, size_t dims) {
  uint32_t best = 0;
  float best_score = -std::numeric_limits<float>::infinity();
  for (size_t j = 0; j < k; ++j) {
    const float s = dot_f32(x, centroids + j * dims, dims) - half_norms[j];
    if (s > best_score) {
      best_score = s;
      best = uint32_t(j);
    }
  }
  return best;
}

std::vector<float> kmeans(const float* rows, size_t n, size_t dims, const KMeansParams& p) {
  if (p.k == 0 || p.k > n) fail(ErrorCode::kInvalidArgument, "kmeans: k must be in 1..rows");
  uint64_t rng = p.seed;
  std::vector<float> c = seed_plus_plus(rows, n, dims, p.k, rng);
  std::vector<uint32_t> assign(n);
  std::vector<double> sums(p.k * dims);
  std::vector<size_t> counts(p.k);
  for (size_t it = 0; it < p.iterations; ++it) {
    const std::vector<float> half = centroid_half_norms(c.data(), p.k, dims);
    for (size_t i = 0; i < n; ++i) assign[i] = nearest_centroid(rows + i * dims, c.data(), half.data(), p.k, dims);
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      double* s = &sums[assign[i] * dims];
      const float* x = rows + i * dims;
      for (size_t d = 0; d < dims; ++d) s[d] += x[d];
      ++counts[assign[i]];
    }
    for (size_t j = 0; j < p.k; ++j) {
      if (counts[j] == 0) continue;
      for (size_t d = 0; d < dims; ++d) c[j * dims + d] = float(sums[j * dims + d] / double(counts[j]));
    }
    // Empty clusters take the row farthest from its own centroid, one row per empty cluster.
    for (size_t j = 0; j < p.k; ++j) {
      if (counts[j] != 0) continue;
      size_t far = 0;
      float far_d = -1.0f;
      for (size_t i = 0; i < n; ++i) {
        if (counts[assign[i]] <= 1) continue;
        const float d = sq_dist(rows + i * dims, &c[assign[i] * dims], dims);
        if (d > far_d) {
          far_d = d;
          far = i;
        }
      }
      if (far_d < 0.0f) break;  // nothing left to split
      --counts[assign[far]];
      assign[far] = uint32_t(j);
      counts[j] = 1;
      std::memcpy(&c[j * dims], rows + far * dims, dims * sizeof(float));
    }
  }
  return c;
}

}  // namespace wasmbed::index
