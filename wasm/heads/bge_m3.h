// BGE-M3's sparse (lexical weights) and multi-vector (ColBERT) heads, computed from the encoder's
// last hidden state exactly as FlagEmbedding defines them (see ../shared/reference/bge-m3.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wasmbed::heads {

// A text's lexical weights: unique token ids in ascending order with their (positive) weights.
struct SparseVector {
  std::vector<int32_t> ids;
  std::vector<float> weights;
};

// One sequence of a batch: hidden [len, dim] (row-major), ids [len], mask [len] (1 = token, 0 = pad).
struct Sequence {
  const float* hidden;
  const int32_t* ids;
  const int32_t* mask;
  size_t len;
  size_t dim;
};

// sparse = relu(hidden . w + b) per token; per id the maximum over its occurrences; ids listed in
// `dropped_ids` (cls, eos, pad, unk) and weights <= 0 are left out.
SparseVector sparse_weights(const Sequence& seq, const float* w, float b, const std::vector<int32_t>& dropped_ids);

// The same per-text rule over per-token weights computed elsewhere (an ONNX export that has the
// sparse head as an extra output, [len] values already relu'd): max per id, drops as above.
SparseVector sparse_from_token_weights(const float* token_weights, const int32_t* ids, const int32_t* mask, size_t len,
                                       const std::vector<int32_t>& dropped_ids);

// ColBERT vectors: linear(hidden[1:]) for positions with mask 1 (the CLS position is dropped, the
// final </s> kept), each L2-normalized. `weight` is [out_dim, dim], `bias` [out_dim]. Writes
// count * out_dim floats to `out` (capacity (len - 1) * out_dim) and returns count = tokens - 1.
size_t colbert_vectors(const Sequence& seq, const float* weight, const float* bias, size_t out_dim, float* out);

// The same post-processing over projections computed elsewhere (an ONNX export with the ColBERT
// head as an extra output): `projected` holds linear(hidden[1:]) as [len - 1, out_dim]; rows whose
// position (row + 1) has mask 1 are kept and L2-normalized into `out`. Returns the count.
size_t colbert_from_projected(const float* projected, const int32_t* mask, size_t len, size_t out_dim, float* out);

// Sum over ids present in both of w_q(id) * w_p(id) (both sorted by id).
float sparse_score(const int32_t* q_ids, const float* q_w, size_t q_n, const int32_t* p_ids, const float* p_w, size_t p_n);

// (1 / n_q) * sum_i max_j q_i . p_j ; 0 when either side is empty.
float colbert_score(const float* q, size_t n_q, const float* p, size_t n_p, size_t dim);

// sum(w_k * s_k) / sum(w_k) over n scores.
float weighted_score(const float* scores, const float* weights, size_t n);

}  // namespace wasmbed::heads
