// Builds the files of a static, partitioned index (static_format.h) from a stream of rows,
// holding only their int8 codes (1 byte per dimension + a scale), so 1M x 384 rows need ~390 MB
// of the wasm32 heap rather than the 1.5 GB of their floats.
//
//   add()     rows in input order (normalized for cosine). The int8 transform (int8_transform.h)
//             is fitted on the mean of the first fit_rows() rows, held as floats until then;
//             every row is then coded as y = R (x - center), code = round(y * 127 / max|y|).
//             (Input sorted by topic would give a less central mean: the per-row scale keeps
//             codes valid, only their resolution suffers.)
//   train()   seeded k-means (kmeans.h) on a seeded sample of sample_rows() rows, dequantized
//             from their codes. The transform is orthogonal up to a shift, so distances, and the
//             clustering, are those of the original rows; centroids stay in the transformed space.
//   assign()  every row to its nearest centroid, scored with int8 codes of the centroids (the
//             SIMD int8 dot; a partition is a coarse bucket, so code precision is plenty).
//   centroids_bytes(), segment_bytes(p): the files. Binary storage writes the sign bits of the
//             codes and the scale |y|_1 / dims (the best a in y ~= a * sign(y)).
// Everything is deterministic: the same rows, partitions and seed give byte-identical files.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "index/int8_transform.h"
#include "index/row_store.h"
#include "index/static_format.h"

namespace wasmbed::index {

struct StaticBuilderConfig {
  StaticLayout layout;
  size_t count = 0;       // rows that will be added
  size_t partitions = 1;  // 1..count
  uint64_t seed = 1;
  size_t iterations = 8;  // Lloyd iterations
  size_t sample_rows = 0; // k-means sample; 0 = min(count, max(32 x partitions, 4096), 65536)
  size_t fit_rows = 0;    // transform fit rows; 0 = min(count, 16384)
};

class StaticBuilder {
 public:
  explicit StaticBuilder(const StaticBuilderConfig& config);

  size_t size() const { return added_; }
  size_t fit_rows() const { return fit_rows_; }
  size_t sample_rows() const { return sample_rows_; }
  // Appends n rows (n x dims floats); InvalidArgumentError for non-finite values or too many rows.
  void add(const float* rows, size_t n);
  void train();
  void assign();
  // Row numbers of partition p, ascending (after assign()).
  const std::vector<uint32_t>& partition_rows(uint32_t p) const;
  const std::vector<float>& centroids() const { return centroids_; }
  const Int8Transform& transform() const { return transform_; }
  std::vector<uint8_t> centroids_bytes() const;
  // tag_offsets null = no tags; otherwise row i of the partition has tags[tag_offsets[i] ..
  // tag_offsets[i + 1]) (numbers into the manifest's tag table).
  std::vector<uint8_t> segment_bytes(uint32_t p, const uint8_t* id_blob, const uint32_t* id_offsets,
                                     const uint32_t* tags, const uint32_t* tag_offsets) const;
  // Bytes held for codes, scales, floats and assignments.
  size_t memory_bytes() const;

 private:
  void fit();
  void encode(size_t row, const float* prepared);
  // The dequantized transformed row y ~= code * scale.
  void decode(size_t row, float* out) const;

  StaticBuilderConfig config_;
  size_t fit_rows_ = 0, sample_rows_ = 0, added_ = 0;
  RowStore codes_;
  RowStore floats_;  // keep_float: the prepared rows
  std::vector<float> scales_;
  std::vector<float> pending_;  // prepared rows before the fit
  Int8Transform transform_;
  bool fitted_ = false, trained_ = false, assigned_ = false;
  std::vector<float> centroids_;
  std::vector<std::vector<uint32_t>> members_;
};

}  // namespace wasmbed::index
