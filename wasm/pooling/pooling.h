// Sentence pooling over a transformer's last hidden state, and the post-processing that follows
// it in sentence-transformers: L2 normalization, Matryoshka truncation, output quantization.
// Kernels run over [batch, seq, hidden] float32 buffers with a [batch, seq] int32 attention mask
// (nonzero = real token), vectorised over the hidden dimension (SIMD).
#pragma once
#include <cstddef>
#include <cstdint>

namespace wasmbed::pooling {

enum class Mode : int {
  kMean = 0,   // masked mean: sum(h * m) / max(sum(m), 1e-9)            (pooling_mode_mean_tokens)
  kCls = 1,    // first position                                         (pooling_mode_cls_token)
  kMax = 2,    // masked max; masked positions count as -1e9 as in ST    (pooling_mode_max_tokens)
  kLast = 3,   // last position whose mask is set (right or left padding) (pooling_mode_lasttoken)
};

// Parses "mean" | "cls" | "max" | "last" (also "lasttoken", "first" = cls); throws kInvalidArgument.
Mode parse_mode(const char* name);

// Pools each of `batch` sequences into out[b * out_dim .. + out_dim): the first `out_dim` (<= dim)
// components of the pooled vector. Pooling is computed on the full width, so truncation
// (Matryoshka) is exact. When `normalize`, each output row is then scaled to unit L2 norm.
void pool(const float* hidden, const int32_t* mask, size_t batch, size_t seq, size_t dim, Mode mode,
          size_t out_dim, bool normalize, float* out);

}  // namespace wasmbed::pooling
