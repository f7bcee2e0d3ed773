// L2 normalization and dot products over float32 rows (SIMD).
#pragma once
#include <cstddef>

namespace wasmbed {

// Sum of a[i]*b[i], four lanes at a time with a scalar tail.
float dot(const float* a, const float* b, size_t n);

// Scales each of `rows` rows of length `dim` (contiguous) to unit L2 norm in place. A zero row
// stays zero (sentence-transformers' F.normalize clamps the norm at 1e-12, giving the same).
void l2_normalize_rows(float* data, size_t rows, size_t dim);

}  // namespace wasmbed
