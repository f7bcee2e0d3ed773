// Search over the partitions of a static index (static_format.h) that a page has loaded.
//
// A query is prepared once (normalized for cosine; w = R q, its int8 codes, offset q.center),
// probe() ranks the centroids (nearest first, by y.c - |c|^2 / 2 with y = R (q - center): the
// squared-L2 order the rows were assigned by), and search() scans the probed partitions' codes
// with the kernels of the exact index (int8 dot, scored as q.center + the code dot over the
// dequantized row's norm for cosine; Hamming via hamming_scan for binary) into one
// shortlist of k x oversample, then rescores it as VectorIndex does: exactly from float rows when
// kept, else asymmetrically (float w x codes), over the dequantized row's norm for cosine.
// With every partition probed and oversample 0 the result is the exact top-k over the codes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "index/static_format.h"
#include "index/topk.h"

namespace wasmbed::index {

struct StaticHit {
  uint32_t row;        // row number in the whole index
  float score;
  uint32_t partition;  // where it lives, and its position there (for the id table)
  uint32_t local;
};

struct StaticSearchParams {
  size_t k = 10;
  size_t oversample = 4;  // 0 = raw quantized scores
  // Tag filter (numbers into the manifest's tag table): rows with any (all = false) or all of them.
  const uint32_t* tags = nullptr;
  size_t tag_count = 0;
  bool all_tags = false;
};

class StaticSearcher {
 public:
  // Parses and checks the centroids file against the manifest's layout and partition count.
  StaticSearcher(const uint8_t* centroids, size_t size, const StaticLayout& layout, uint32_t partitions);

  const StaticLayout& layout() const { return layout_; }
  uint32_t partitions() const { return uint32_t(centroids_.partition_rows.size()); }
  // The nprobe best partitions for the query, best first (ties: smaller partition number).
  std::vector<uint32_t> probe(const float* query, size_t nprobe) const;
  // Loads partition p's segment file (a reload replaces it); returns the id table's byte offset.
  size_t add_segment(uint32_t p, const uint8_t* data, size_t size);
  bool has_segment(uint32_t p) const { return segments_.count(p) != 0; }
  void drop_segment(uint32_t p) { segments_.erase(p); }
  size_t segment_count() const { return segments_.size(); }
  size_t memory_bytes() const;
  // Searches the listed partitions (each must be loaded; repeats are ignored).
  std::vector<StaticHit> search(const float* query, const uint32_t* parts, size_t nparts, const StaticSearchParams& p) const;

 private:
  struct Query;
  Query prepare(const float* q) const;
  float rescore(const StaticSegment& s, size_t i, const Query& q) const;
  float raw_score(const StaticSegment& s, size_t i, float scanned, const Query& q) const;
  float int8_cosine(const StaticSegment& s, size_t i, float dot) const;
  bool tag_match(const StaticSegment& s, size_t i, const StaticSearchParams& p) const;

  StaticLayout layout_;
  StaticCentroids centroids_;
  std::vector<float> half_norms_;
  std::map<uint32_t, StaticSegment> segments_;
};

}  // namespace wasmbed::index
