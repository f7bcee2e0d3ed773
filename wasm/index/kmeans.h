// Seeded, deterministic k-means for the static index's IVF partitions (static_builder.h).
//
// k-means++ seeding (Arthur & Vassilvitskii 2007) from a splitmix64 stream of `seed`, then a fixed
// number of Lloyd iterations. Every step is a fixed sequence of float operations over the rows in
// order, so the same rows, k, seed and iteration count give bit-identical centroids in one build.
// An emptied cluster is re-seeded with the row farthest from its centroid (deterministic too).
//
// Distances are squared L2; the nearest centroid of x is the argmax of x.c - |c|^2 / 2 (the |x|^2
// term is the same for every c), so scans are dot products (kernels.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wasmbed::index {

struct KMeansParams {
  size_t k = 1;
  size_t iterations = 10;
  uint64_t seed = 1;
};

// rows: n x dims floats, contiguous. Returns k x dims centroids (k <= n required).
std::vector<float> kmeans(const float* rows, size_t n, size_t dims, const KMeansParams& params);

// |c|^2 / 2 per centroid (the offset of the nearest-centroid score).
std::vector<float> centroid_half_norms(const float* centroids, size_t k, size_t dims);

// The nearest centroid of x: argmax x.c - half_norms[c]; ties go to the smaller index.
uint32_t nearest_centroid(const float* x, const float* centroids, const float* half_norms, size_t k, size_t dims);

// splitmix64: the seeded stream k-means and the samplers draw from.
uint64_t splitmix64_next(uint64_t& state);

}  // namespace wasmbed::index
