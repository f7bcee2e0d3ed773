// The transform int8 vector codes are taken in (see vector_index.h, storage kinds).
//
// Embeddings share a large mean direction and a few outlier dimensions: per-row int8 codes of the
// raw vector spend their 8 bits on the mean and on the outliers. The fitted transform subtracts the
// per-dimension mean of the fit rows, then applies a fixed random rotation: a signed permutation
// followed by an orthonormal Walsh-Hadamard transform over power-of-two blocks (384 = 256 + 128,
// 1024 = 1024). The rotation spreads outliers over every dimension of their block, so one per-row
// scale suits all of them and the rounding error is spread evenly. Measured on embedding-like
// vectors (bench/index-recall.bench.js): per-dimension standardization instead of the rotation
// did not help (larger score error than centering alone); centering cut the rms score error 3x,
// the rotation another 2x.
//
// Scores survive: the rotation R is orthogonal, so q.x = q.center + (R q).(R (x - center)); a
// search rotates the query once and adds q.center back. The identity transform (format-1 files,
// and rows added before the fit) leaves vectors as they are.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wasmbed::index {

class Int8Transform {
 public:
  Int8Transform() = default;
  // The identity over `dims` dimensions.
  explicit Int8Transform(size_t dims) : dims_(dims) {}
  // Centers on `mean`; the signed permutation comes from a fixed seed (splitmix64), so the same
  // rows give the same transform in every build.
  static Int8Transform fitted(std::vector<float> mean);
  // A saved fitted transform: signed_perm[d] = source dimension | 0x80000000 when negated. Returns
  // false when the entries are not a signed permutation of 0..dims-1.
  static bool restore(std::vector<float> center, std::vector<uint32_t> signed_perm, Int8Transform& out);

  bool is_identity() const { return perm_.empty(); }
  size_t dims() const { return dims_; }
  const std::vector<float>& center() const { return center_; }
  const std::vector<uint32_t>& signed_perm() const { return perm_; }

  // out = R (x - center)
  void forward(const float* x, float* out) const;
  // out = R q; returns q . center (what a score adds back).
  float rotate_query(const float* q, float* out) const;
  // x = center + R^T y (y is overwritten).
  void inverse(float* y, float* x) const;
  // ||center + R^T (scale * code)||: the norm of a dequantized row, from its codes alone.
  float dequantized_norm(const int8_t* code, float scale) const;

 private:
  void hadamard_blocks(float* v) const;
  void derive();  // rotated_center_, center_norm2_
  size_t dims_ = 0;
  std::vector<float> center_;
  std::vector<uint32_t> perm_;
  std::vector<float> rotated_center_;  // R center (the identity: empty)
  double center_norm2_ = 0.0;
};

}  // namespace wasmbed::index
