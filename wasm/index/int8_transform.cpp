#include "index/int8_transform.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "index/kernels.h"

namespace wasmbed::index {

namespace {

constexpr uint32_t kNegate = 0x80000000u;
constexpr uint64_t kSeed = 0x1d8e4e27c47d124full;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// In-place orthonormal fast Walsh-Hadamard transform of n = 2^k values (its own inverse).
void fwht(float* v, size_t n) {
  for (size_t h = 1; h < n; h *= 2)
    for (size_t i = 0; i < n; i += 2 * h)
      for (size_t j = i; j < i + h; ++j) {
        const float a = v[j], b = v[j + h];
        v[j] = a + b;
        v[j + h] = a - b;
      }
  const float norm = float(1.0 / std::sqrt(double(n)));
  for (size_t i = 0; i < n; ++i) v[i] *= norm;
}

}  // namespace

Int8Transform Int8Transform::fitted(std::vector<float> mean) {
  Int8Transform t(mean.size());
  const size_t n = mean.size();
  t.center_ = std::move(mean);
  t.perm_.resize(n);
  for (size_t d = 0; d < n; ++d) t.perm_[d] = uint32_t(d);
  uint64_t state = kSeed ^ n;
  for (size_t d = n; d > 1; --d) std::swap(t.perm_[d - 1], t.perm_[splitmix64(state) % d]);  // Fisher-Yates
  for (size_t d = 0; d < n; ++d)
    if (splitmix64(state) >> 63) t.perm_[d] |= kNegate;
  t.derive();
  return t;
}

bool Int8Transform::restore(std::vector<float> center, std::vector<uint32_t> signed_perm, Int8Transform& out) {
  const size_t n = center.size();
  if (signed_perm.size() != n) return false;
  std::vector<bool> seen(n, false);
  for (uint32_t p : signed_perm) {
    const uint32_t src = p & ~kNegate;
    if (src >= n || seen[src]) return false;
    seen[src] = true;
  }
  out = Int8Transform(n);
  out.center_ = std::move(center);
  out.perm_ = std::move(signed_perm);
  out.derive();
  return true;
}

void Int8Transform::derive() {
  rotated_center_.resize(dims_);
  std::vector<float> zero(dims_, 0.0f);
  // R (0 - center) = -R center
  forward(zero.data(), rotated_center_.data());
  center_norm2_ = 0.0;
  for (size_t d = 0; d < dims_; ++d) {
    rotated_center_[d] = -rotated_center_[d];
    center_norm2_ += double(center_[d]) * center_[d];
  }
}

float Int8Transform::dequantized_norm(const int8_t* code, float scale) const {
  // ||c + R^T y||^2 = ||c||^2 + 2 (R c).y + ||y||^2 with y = scale * code (R orthogonal).
  double n2 = double(dot_i8(code, code, dims_)) * double(scale) * scale;
  if (!is_identity()) n2 += center_norm2_ + 2.0 * double(dot_f32_i8(rotated_center_.data(), code, dims_)) * scale;
  return float(std::sqrt(std::max(n2, 0.0)));
}

void Int8Transform::hadamard_blocks(float* v) const {
  // Largest power-of-two blocks first: 384 -> 256 + 128, 70 -> 64 + 4 + 2.
  size_t at = 0;
  while (at < dims_) {
    size_t block = 1;
    while (block * 2 <= dims_ - at) block *= 2;
    fwht(v + at, block);
    at += block;
  }
}

void Int8Transform::forward(const float* x, float* out) const {
  if (is_identity()) {
    std::memcpy(out, x, dims_ * sizeof(float));
    return;
  }
  for (size_t d = 0; d < dims_; ++d) {
    const uint32_t src = perm_[d] & ~kNegate;
    const float v = x[src] - center_[src];
    out[d] = (perm_[d] & kNegate) ? -v : v;
  }
  hadamard_blocks(out);
}

float Int8Transform::rotate_query(const float* q, float* out) const {
  if (is_identity()) {
    std::memcpy(out, q, dims_ * sizeof(float));
    return 0.0f;
  }
  double offset = 0.0;
  for (size_t d = 0; d < dims_; ++d) {
    const uint32_t src = perm_[d] & ~kNegate;
    out[d] = (perm_[d] & kNegate) ? -q[src] : q[src];
    offset += double(q[d]) * center_[d];
  }
  hadamard_blocks(out);
  return float(offset);
}

void Int8Transform::inverse(float* y, float* x) const {
  if (is_identity()) {
    std::memcpy(x, y, dims_ * sizeof(float));
    return;
  }
  hadamard_blocks(y);
  for (size_t d = 0; d < dims_; ++d) {
    const uint32_t src = perm_[d] & ~kNegate;
    x[src] = center_[src] + ((perm_[d] & kNegate) ? -y[d] : y[d]);
  }
}

}  // namespace wasmbed::index
