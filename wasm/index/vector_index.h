// Exact dense vector search over vectors stored contiguously (in blocks, see row_store.h).
//
// Storage kinds:
//   float32  rows are the vectors themselves; scores are exact.
//   int8     one byte per dimension: codes of the row in a per-index transform (int8_transform.h:
//            centering on the mean of the fit rows, then a fixed random rotation), with one float
//            scale per row: y = R (x - center), code = round(y * 127 / max|y|), y ~= code * scale.
//            The fit rule: the transform is fitted on the live rows at the moment the index first
//            holds fit_rows() rows (1024 for dims <= 2048). Until then rows are coded with the
//            identity transform and also kept in float32 (bounded: fit_rows() x dims x 4 bytes),
//            so small indexes rescore exactly; the fit re-encodes every row and drops the floats.
//            Later rows reuse the transform (the per-row scale absorbs any drift: codes cannot
//            overflow). Indexes loaded from format version 1 keep the identity transform.
//            A search rotates the query once (q.x = q.center + (R q).(R (x - center))), scans int8
//            query codes against int8 row codes (SIMD), keeps a shortlist of k * oversample and
//            rescores it: with the original float32 rows when keep_float is set (exact), otherwise
//            float rotated query x dequantized codes (asymmetric), adding q.center back; for
//            cosine, divided by the dequantized row's norm (the score against the row's direction).
//   binary   one sign bit per dimension (bit = x > 0), packed in 64-bit words; the scan ranks by
//            Hamming distance (popcount), then rescores a shortlist: with float32 rows when kept,
//            otherwise float query x sign vector, scaled by 1/sqrt(dims) for cosine so scores stay
//            in [-1, 1].
//   With oversample = 0 no rescoring happens and the raw quantized scores are returned
//   (int8: q.center + scale_q * row_scale * int8 dot, over the row's norm for cosine;
//   binary: (dims - 2 * hamming) / dims).
//   Cosine scores are clamped to [-1, 1] (quantization error can push a near-duplicate past 1).
//
// Every mutation is all or nothing: arguments (ids, duplicates, tags, finite values) are checked
// and memory is reserved before anything changes. load() rejects non-finite stored values.
//
// Metrics: dot, and cosine (rows and queries are L2-normalized on the way in, then dot).
// Ids are caller-chosen uint32 values, stable across add/remove/update/save/load. Remove moves the
// last row into the hole, so slot order (ids()) changes on removal.
// Tags: each row holds a set of tag ids (interned strings, saved with the index); a search can be
// restricted to rows having any / all of a set of tags, or to an allow-list bitset over slots.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/int8_transform.h"
#include "index/row_store.h"
#include "index/topk.h"

namespace wasmbed::index {

enum class Metric : uint8_t { kDot = 0, kCosine = 1 };
enum class Storage : uint8_t { kFloat32 = 0, kInt8 = 1, kBinary = 2 };

struct VectorIndexConfig {
  uint32_t dims = 0;
  Metric metric = Metric::kCosine;
  Storage storage = Storage::kFloat32;
  // Keep the original float32 rows beside int8/binary codes for exact rescoring (ignored for float32).
  bool keep_float = false;
  // Bytes the index may allocate for rows and per-row data; 0 = the platform limit (4 GiB on wasm32).
  uint64_t max_bytes = 0;
};

struct Hit {
  uint32_t id;
  float score;
};

struct SearchParams {
  size_t k = 10;
  // Shortlist size = k * oversample for int8/binary; 0 = return raw quantized scores.
  size_t oversample = 0;
  // Optional allow-list: bit s of allow[s / 64] set = slot s may be returned. Null = all rows.
  const uint64_t* allow = nullptr;
};

class VectorIndex {
 public:
  explicit VectorIndex(const VectorIndexConfig& config);

  const VectorIndexConfig& config() const { return config_; }
  size_t size() const { return ids_.size(); }
  bool contains(uint32_t id) const { return slot_of_.count(id) != 0; }
  // Slot -> id, valid until the next mutation.
  const uint32_t* ids() const { return ids_.data(); }
  // Bytes allocated for rows and per-row arrays; the id -> slot hash map (~30 B/row) comes on top.
  size_t memory_bytes() const;
  size_t max_bytes() const;

  // Adds one vector with optional tags; fails when the id exists (use update).
  void add(uint32_t id, const float* vector, const uint32_t* tags = nullptr, size_t tag_count = 0);
  // Adds n rows (row i = vectors + i * dims) with ids and optional tags (row i gets
  // tags[tag_offsets[i] .. tag_offsets[i + 1]), tag_offsets has n + 1 entries); all or nothing.
  void add_batch(const uint32_t* ids, const float* vectors, size_t n, const uint32_t* tags = nullptr,
                 const uint32_t* tag_offsets = nullptr);
  // Replaces the vector of an existing id; with has_tags, its tags too (all or nothing).
  void update(uint32_t id, const float* vector, bool has_tags = false, const uint32_t* tags = nullptr,
              size_t tag_count = 0);
  // Replaces the tags of an existing id.
  void set_tags(uint32_t id, const uint32_t* tags, size_t tag_count);
  // Returns false when the id is absent.
  bool remove(uint32_t id);
  // The stored vector (normalized for cosine; dequantized when only codes are kept).
  void get(uint32_t id, float* out) const;
  // Tag ids of a row, sorted.
  const std::vector<uint32_t>& tags_of(uint32_t id) const;

  uint32_t intern_tag(const std::string& name);
  // -1 when the tag was never interned.
  int64_t find_tag(const std::string& name) const;
  size_t tag_count() const { return tag_names_.size(); }
  const std::string& tag_name(uint32_t tag) const { return tag_names_.at(tag); }

  // Writes an allow-list bitset over slots ((size() + 63) / 64 words): rows with any (all = false)
  // or all (all = true) of the given tags.
  void tag_filter(const uint32_t* tags, size_t tag_count, bool all, uint64_t* out) const;

  std::vector<Hit> search(const float* query, const SearchParams& params) const;

  // int8: whether the per-dimension transform has been fitted (see the storage notes above), and
  // the number of rows it is fitted on.
  bool int8_fitted() const { return fitted_; }
  size_t fit_rows() const;

  std::vector<uint8_t> save() const;
  static VectorIndex load(const uint8_t* data, size_t size);

 private:
  size_t code_bytes() const;  // bytes per row in codes_
  void check_id_absent(uint32_t id) const;
  uint32_t slot_or_throw(uint32_t id, const char* op) const;
  // Sorted, unique tag ids; an unknown id is an InvalidArgumentError prefixed with `where`.
  std::vector<uint32_t> checked_tags(const uint32_t* tags, size_t tag_count, const std::string& where = "") const;
  void reserve_rows(size_t rows);
  // Appends an empty row to every store (capacity reserved beforehand) and returns its slot.
  size_t push_row(uint32_t id, std::vector<uint32_t> tags);
  // Encodes a (normalized for cosine) vector into slot `slot` of every store.
  void write_row(size_t slot, const float* prepared);
  // int8: fits transform_ on the float rows held so far and re-encodes every row.
  void fit_int8();
  // Float32 rows kept beside int8 codes: the keep_float rows, or the pending rows before the fit.
  const float* float_row(size_t slot) const;
  bool has_float_rows() const { return config_.keep_float || !pending_.empty(); }
  // Copy + normalize for cosine; a non-finite component is an InvalidArgumentError naming `what`.
  void prepare(const float* in, float* out, const std::string& what) const;
  struct Int8Query;
  Int8Query int8_query(const float* q) const;
  float rescore(size_t slot, const float* query, const Int8Query* iq) const;
  // An int8 score q.x^ for slot, as the metric wants it (cosine: over the dequantized row's norm).
  float int8_score(size_t slot, float dot) const;
  std::vector<Scored> scan_float(const float* q, size_t k, const uint64_t* allow) const;
  std::vector<Scored> scan_int8(const Int8Query& q, size_t k, const uint64_t* allow) const;
  std::vector<Scored> scan_binary(const float* q, size_t k, const uint64_t* allow) const;

  VectorIndexConfig config_;
  RowStore codes_;   // float32 rows, int8 codes or packed sign bits
  RowStore floats_;  // original float32 rows when keep_float (int8/binary only)
  std::vector<float> scales_;  // int8: per-row dequantization scale
  // int8 code transform (identity until fitted; see the storage notes above).
  Int8Transform transform_;
  bool fitted_ = false;
  // int8 without keep_float, before the fit: the float32 rows, slot-major (empty afterwards).
  std::vector<float> pending_;
  std::vector<uint32_t> ids_;
  std::vector<std::vector<uint32_t>> tags_;
  std::unordered_map<uint32_t, uint32_t> slot_of_;
  std::vector<std::string> tag_names_;
  std::unordered_map<std::string, uint32_t> tag_ids_;
};

const char* metric_name(Metric m);
const char* storage_name(Storage s);

}  // namespace wasmbed::index
