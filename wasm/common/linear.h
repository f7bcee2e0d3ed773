// y = x W^T + b for row-major float32 matrices (PyTorch nn.Linear layout: W is [out, in]).
#pragma once
#include <cstddef>

namespace wasmbed {

// x: [rows, in], w: [out, in], bias: [out] or nullptr, y: [rows, out] (must not alias x).
// Blocked 4x4 (rows x outputs) with SIMD over `in`, so each loaded W row is reused four times.
void linear(const float* x, size_t rows, size_t in, const float* w, const float* bias, size_t out, float* y);

}  // namespace wasmbed
