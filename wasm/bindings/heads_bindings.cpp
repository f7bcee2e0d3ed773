// Embind surface for the BGE-M3 heads and multi-vector / lexical scoring.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <vector>

#include "bindings/js_error.h"
#include "heads/bge_m3.h"

using namespace emscripten;
using wasmbed::bind::guard;
using wasmbed::bind::ptr;
namespace heads = wasmbed::heads;

namespace {

template <class T>
val copy_to_js(const std::vector<T>& v) {
  return val(typed_memory_view(v.size(), v.data())).call<val>("slice");
}

std::vector<int32_t> to_ids(const val& array) { return vecFromJSArray<int32_t>(array); }

// hidden [batch, seq, dim], ids/mask [batch, seq] -> JS array of { ids: Int32Array, weights: Float32Array }.
val sparse_batch(uintptr_t hidden, uintptr_t ids, uintptr_t mask, size_t batch, size_t seq, size_t dim,
                 uintptr_t weight, float bias, val dropped_ids) {
  return guard([&] {
    const std::vector<int32_t> dropped = to_ids(dropped_ids);
    val out = val::array();
    for (size_t b = 0; b < batch; ++b) {
      heads::Sequence s{ptr<const float>(hidden) + b * seq * dim, ptr<const int32_t>(ids) + b * seq,
                        ptr<const int32_t>(mask) + b * seq, seq, dim};
      heads::SparseVector v = heads::sparse_weights(s, ptr<const float>(weight), bias, dropped);
      val item = val::object();
      item.set("ids", copy_to_js(v.ids));
      item.set("weights", copy_to_js(v.weights));
      out.call<void>("push", item);
    }
    return out;
  });
}

// Writes every text's vectors back to back into `out` ([sum of counts, out_dim]) and their counts
// into `counts` [batch]; returns the total number of vectors.
size_t colbert_batch(uintptr_t hidden, uintptr_t ids, uintptr_t mask, size_t batch, size_t seq, size_t dim,
                     uintptr_t weight, uintptr_t bias, size_t out_dim, uintptr_t out, uintptr_t counts) {
  return guard([&] {
    size_t total = 0;
    for (size_t b = 0; b < batch; ++b) {
      heads::Sequence s{ptr<const float>(hidden) + b * seq * dim, ptr<const int32_t>(ids) + b * seq,
                        ptr<const int32_t>(mask) + b * seq, seq, dim};
      const size_t n = heads::colbert_vectors(s, ptr<const float>(weight), ptr<const float>(bias), out_dim,
                                              ptr<float>(out) + total * out_dim);
      ptr<int32_t>(counts)[b] = static_cast<int32_t>(n);
      total += n;
    }
    return total;
  });
}

// Heads computed inside the ONNX graph: token_weights [batch, seq] (relu(linear) per token), ids and
// mask [batch, seq] -> the same { ids, weights } per text as sparse_batch.
val sparse_from_weights_batch(uintptr_t token_weights, uintptr_t ids, uintptr_t mask, size_t batch, size_t seq,
                              val dropped_ids) {
  return guard([&] {
    const std::vector<int32_t> dropped = to_ids(dropped_ids);
    val out = val::array();
    for (size_t b = 0; b < batch; ++b) {
      heads::SparseVector v = heads::sparse_from_token_weights(ptr<const float>(token_weights) + b * seq,
                                                               ptr<const int32_t>(ids) + b * seq,
                                                               ptr<const int32_t>(mask) + b * seq, seq, dropped);
      val item = val::object();
      item.set("ids", copy_to_js(v.ids));
      item.set("weights", copy_to_js(v.weights));
      out.call<void>("push", item);
    }
    return out;
  });
}

// projected [batch, seq - 1, out_dim] (linear(H[:, 1:]) from the graph), mask [batch, seq]; output
// layout as colbert_batch.
size_t colbert_from_projected_batch(uintptr_t projected, uintptr_t mask, size_t batch, size_t seq, size_t out_dim,
                                    uintptr_t out, uintptr_t counts) {
  return guard([&] {
    size_t total = 0;
    const size_t rows = seq > 0 ? seq - 1 : 0;
    for (size_t b = 0; b < batch; ++b) {
      const size_t n = heads::colbert_from_projected(ptr<const float>(projected) + b * rows * out_dim,
                                                     ptr<const int32_t>(mask) + b * seq, seq, out_dim,
                                                     ptr<float>(out) + total * out_dim);
      ptr<int32_t>(counts)[b] = static_cast<int32_t>(n);
      total += n;
    }
    return total;
  });
}

float sparse_score(uintptr_t q_ids, uintptr_t q_w, size_t q_n, uintptr_t p_ids, uintptr_t p_w, size_t p_n) {
  return heads::sparse_score(ptr<const int32_t>(q_ids), ptr<const float>(q_w), q_n, ptr<const int32_t>(p_ids),
                             ptr<const float>(p_w), p_n);
}

float colbert_score(uintptr_t q, size_t n_q, uintptr_t p, size_t n_p, size_t dim) {
  return heads::colbert_score(ptr<const float>(q), n_q, ptr<const float>(p), n_p, dim);
}

}  // namespace

EMSCRIPTEN_BINDINGS(wasmbed_heads) {
  function("bgeM3SparseBatch", &sparse_batch);
  function("bgeM3ColbertBatch", &colbert_batch);
  function("bgeM3SparseFromWeightsBatch", &sparse_from_weights_batch);
  function("bgeM3ColbertFromProjectedBatch", &colbert_from_projected_batch);
  function("sparseScore", &sparse_score);
  function("colbertScore", &colbert_score);
}
