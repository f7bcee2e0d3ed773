// Inverted index over integer term ids (the model tokenizer's piece ids), used two ways:
//   BM25     documents are token-id sequences; a posting's weight is the term frequency.
//   dot      documents are sparse (term, weight) vectors, e.g. BGE-M3 lexical weights; the score
//            is sum over shared terms of query weight x document weight.
// Postings are (slot, weight) pairs per term. Scoring accumulates into a dense per-slot array, so
// a query costs O(total postings of its terms), not O(documents x terms).
//
// BM25 (Lucene / Robertson-Sparck Jones with the +1 that keeps idf positive):
//   idf(t)   = ln(1 + (N - df + 0.5) / (df + 0.5))
//   score(d) = sum over query tokens t (repeats count again) of
//              idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))
// with |d| the document's token count and avgdl the mean over live documents.
//
// Removal moves the last document into the freed slot and patches its postings: O(postings of
// the terms of the two documents), fine for the interactive add/remove of a client-side index.
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "index/vector_index.h"

namespace wasmbed::index {

enum class LexicalScoring : uint8_t { kBm25 = 0, kDot = 1 };

struct Bm25Params {
  float k1 = 1.2f;
  float b = 0.75f;
};

class InvertedIndex {
 public:
  explicit InvertedIndex(LexicalScoring scoring = LexicalScoring::kBm25, Bm25Params params = {});

  LexicalScoring scoring() const { return scoring_; }
  const Bm25Params& params() const { return params_; }
  size_t size() const { return ids_.size(); }
  bool contains(uint32_t id) const { return slot_of_.count(id) != 0; }
  const uint32_t* ids() const { return ids_.data(); }
  size_t term_count() const { return postings_.size(); }
  // Documents containing `term`.
  size_t document_frequency(int32_t term) const;

  // BM25 index: a document as its token ids (any order; repeats are term frequency).
  void add_tokens(uint32_t id, const int32_t* tokens, size_t n);
  // Dot index: a document as (term, weight) pairs; a repeated term keeps its largest weight and
  // non-positive weights are dropped (BGE-M3's sparse rule).
  void add_weighted(uint32_t id, const int32_t* terms, const float* weights, size_t n);
  bool remove(uint32_t id);

  // Top k documents sharing at least one term with the query; `allow` as in SearchParams.
  std::vector<Hit> search_tokens(const int32_t* tokens, size_t n, size_t k, const uint64_t* allow = nullptr) const;
  std::vector<Hit> search_weighted(const int32_t* terms, const float* weights, size_t n, size_t k,
                                   const uint64_t* allow = nullptr) const;

  std::vector<uint8_t> save() const;
  static InvertedIndex load(const uint8_t* data, size_t size);

 private:
  struct Posting {
    uint32_t slot;
    float weight;
  };
  struct Term {
    int32_t term;
    float weight;
  };
  void insert(uint32_t id, std::vector<Term> terms, float length);
  std::vector<Hit> score(const std::vector<Term>& query, size_t k, const uint64_t* allow) const;

  LexicalScoring scoring_;
  Bm25Params params_;
  std::vector<uint32_t> ids_;
  std::vector<float> lengths_;              // BM25: token count per document
  std::vector<std::vector<Term>> docs_;     // per slot: its distinct terms and weights (for removal, save)
  std::unordered_map<uint32_t, uint32_t> slot_of_;
  std::unordered_map<int32_t, std::vector<Posting>> postings_;
  double total_length_ = 0.0;
};

}  // namespace wasmbed::index
