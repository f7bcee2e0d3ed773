#include "heads/bge_m3.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "common/error.h"
#include "common/linear.h"
#include "pooling/normalize.h"

namespace wasmbed::heads {

namespace {

bool is_dropped(int32_t id, const std::vector<int32_t>& dropped_ids) {
  return std::find(dropped_ids.begin(), dropped_ids.end(), id) != dropped_ids.end();
}

// Max per id over positive weights, sorted by id. `weight_at(t)` is called only for kept tokens.
template <class WeightAt>
SparseVector collect_sparse(const int32_t* ids, const int32_t* mask, size_t len, const std::vector<int32_t>& dropped_ids,
                            WeightAt weight_at) {
  std::unordered_map<int32_t, float> best;
  for (size_t t = 0; t < len; ++t) {
    if (!mask[t]) continue;
    const int32_t id = ids[t];
    if (is_dropped(id, dropped_ids)) continue;
    const float weight = std::max(0.0f, weight_at(t));  // relu
    if (!(weight > 0.0f)) continue;                      // also drops NaN
    auto [it, inserted] = best.emplace(id, weight);
    if (!inserted && weight > it->second) it->second = weight;
  }
  std::vector<std::pair<int32_t, float>> sorted(best.begin(), best.end());
  std::sort(sorted.begin(), sorted.end());
  SparseVector out;
  out.ids.reserve(sorted.size());
  out.weights.reserve(sorted.size());
  for (const auto& [id, weight] : sorted) {
    out.ids.push_back(id);
    out.weights.push_back(weight);
  }
  return out;
}

}  // namespace

SparseVector sparse_weights(const Sequence& seq, const float* w, float b, const std::vector<int32_t>& dropped_ids) {
  return collect_sparse(seq.ids, seq.mask, seq.len, dropped_ids,
                        [&](size_t t) { return dot(seq.hidden + t * seq.dim, w, seq.dim) + b; });
}

SparseVector sparse_from_token_weights(const float* token_weights, const int32_t* ids, const int32_t* mask, size_t len,
                                       const std::vector<int32_t>& dropped_ids) {
  return collect_sparse(ids, mask, len, dropped_ids, [&](size_t t) { return token_weights[t]; });
}

size_t colbert_vectors(const Sequence& seq, const float* weight, const float* bias, size_t out_dim, float* out) {
  if (seq.len == 0) return 0;
  // Gather the kept positions (1.. with mask 1) contiguously, then one blocked matrix product.
  std::vector<float> kept;
  size_t count = 0;
  for (size_t t = 1; t < seq.len; ++t) {
    if (!seq.mask[t]) continue;
    kept.insert(kept.end(), seq.hidden + t * seq.dim, seq.hidden + (t + 1) * seq.dim);
    ++count;
  }
  if (count == 0) return 0;
  linear(kept.data(), count, seq.dim, weight, bias, out_dim, out);
  l2_normalize_rows(out, count, out_dim);
  return count;
}

size_t colbert_from_projected(const float* projected, const int32_t* mask, size_t len, size_t out_dim, float* out) {
  size_t count = 0;
  for (size_t t = 1; t < len; ++t) {
    if (!mask[t]) continue;
    std::copy(projected + (t - 1) * out_dim, projected + t * out_dim, out + count * out_dim);
    ++count;
  }
  l2_normalize_rows(out, count, out_dim);
  return count;
}

float sparse_score(const int32_t* q_ids, const float* q_w, size_t q_n, const int32_t* p_ids, const float* p_w, size_t p_n) {
  float score = 0.0f;
  size_t i = 0, j = 0;
  while (i < q_n && j < p_n) {
    if (q_ids[i] < p_ids[j]) {
      ++i;
    } else if (q_ids[i] > p_ids[j]) {
      ++j;
    } else {
      score += q_w[i++] * p_w[j++];
    }
  }
  return score;
}

float colbert_score(const float* q, size_t n_q, const float* p, size_t n_p, size_t dim) {
  if (n_q == 0 || n_p == 0) return 0.0f;
  float total = 0.0f;
  for (size_t i = 0; i < n_q; ++i) {
    float best = -std::numeric_limits<float>::infinity();
    for (size_t j = 0; j < n_p; ++j) best = std::max(best, dot(q + i * dim, p + j * dim, dim));
    total += best;
  }
  return total / static_cast<float>(n_q);
}

float weighted_score(const float* scores, const float* weights, size_t n) {
  float num = 0.0f, den = 0.0f;
  for (size_t k = 0; k < n; ++k) {
    num += weights[k] * scores[k];
    den += weights[k];
  }
  if (den == 0.0f) fail(ErrorCode::kInvalidArgument, "weighted score: the weights sum to zero");
  return num / den;
}

}  // namespace wasmbed::heads
