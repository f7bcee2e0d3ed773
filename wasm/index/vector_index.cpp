#include "index/vector_index.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <unordered_set>

#include "common/error.h"
#include "common/simd.h"
#include "index/hamming_scan.h"
#include "index/kernels.h"
#include "index/serialize.h"

namespace wasmbed::index {

namespace {

constexpr uint32_t kMaxDims = 65536;
constexpr size_t kTargetBlockBytes = size_t(4) << 20;  // 4 MiB chunks
constexpr uint64_t kWasm32Bytes = uint64_t(4) << 30;
// int8 transform fit: on up to 1024 rows, and never more than 8 MiB of float rows held for it.
constexpr size_t kFitRows = 1024;
constexpr size_t kFitMinRows = 64;
constexpr size_t kFitFloatBytes = size_t(8) << 20;

[[noreturn]] void invalid(const std::string& msg) { fail(ErrorCode::kInvalidArgument, "VectorIndex: " + msg); }

bool allowed(const uint64_t* allow, size_t slot) { return !allow || ((allow[slot >> 6] >> (slot & 63)) & 1); }

size_t block_log2(size_t row_bytes, uint64_t max_bytes) {
  uint64_t target = kTargetBlockBytes;
  // Small configured limits get small chunks, so the limit is reached near it rather than at once.
  if (max_bytes != 0) target = std::min<uint64_t>(target, std::max<uint64_t>(max_bytes / 16, row_bytes));
  size_t log2 = 0;
  while (log2 < 16 && (uint64_t(row_bytes) << (log2 + 1)) <= target) ++log2;
  return log2;
}

std::string row_name(size_t row) { return "row " + std::to_string(row); }

std::string mib(uint64_t bytes) {
  const double m = double(bytes) / (1024.0 * 1024.0);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.1f MiB (%llu bytes)", m, static_cast<unsigned long long>(bytes));
  return buf;
}

}  // namespace

const char* metric_name(Metric m) { return m == Metric::kDot ? "dot" : "cosine"; }
const char* storage_name(Storage s) {
  return s == Storage::kFloat32 ? "float32" : s == Storage::kInt8 ? "int8" : "binary";
}

VectorIndex::VectorIndex(const VectorIndexConfig& config) : config_(config) {
  if (config_.dims == 0 || config_.dims > kMaxDims)
    invalid("dims must be in 1.." + std::to_string(kMaxDims) + ", got " + std::to_string(config_.dims));
  if (config_.metric != Metric::kDot && config_.metric != Metric::kCosine) invalid("unknown metric");
  if (config_.storage != Storage::kFloat32 && config_.storage != Storage::kInt8 && config_.storage != Storage::kBinary)
    invalid("unknown storage");
  if (config_.storage == Storage::kFloat32) config_.keep_float = false;  // the rows are the floats
  const size_t float_bytes = config_.keep_float ? size_t(config_.dims) * 4 : 0;
  const size_t log2 = block_log2(code_bytes() + float_bytes, config_.max_bytes);
  codes_ = RowStore(code_bytes(), log2);
  floats_ = RowStore(float_bytes, log2);
  if (config_.storage == Storage::kInt8) transform_ = Int8Transform(config_.dims);
}

size_t VectorIndex::fit_rows() const {
  return std::max(kFitMinRows, std::min(kFitRows, kFitFloatBytes / (size_t(config_.dims) * 4)));
}

size_t VectorIndex::code_bytes() const {
  switch (config_.storage) {
    case Storage::kFloat32: return size_t(config_.dims) * 4;
    case Storage::kInt8: return config_.dims;
    case Storage::kBinary: return binary_words(config_.dims) * 8;
  }
  return 0;
}

size_t VectorIndex::max_bytes() const {
  if (config_.max_bytes != 0) return size_t(std::min<uint64_t>(config_.max_bytes, std::numeric_limits<size_t>::max()));
  return sizeof(void*) == 4 ? size_t(kWasm32Bytes - 1) : std::numeric_limits<size_t>::max() / 2;
}

size_t VectorIndex::memory_bytes() const {
  return codes_.allocated_bytes() + floats_.allocated_bytes() + scales_.capacity() * sizeof(float) +
         pending_.capacity() * sizeof(float) +
         transform_.center().capacity() * sizeof(float) + transform_.signed_perm().capacity() * sizeof(uint32_t) +
         ids_.capacity() * sizeof(uint32_t) + tags_.capacity() * sizeof(std::vector<uint32_t>);
}

namespace {
// Capacity a per-row array gets when it must hold n rows (1.5x growth, like grow_to()).
size_t grown_capacity(size_t cap, size_t n) { return cap >= n ? cap : std::max(n, cap + cap / 2); }
}  // namespace

void VectorIndex::reserve_rows(size_t rows) {
  if (rows > 0xFFFFFFFFull) invalid("more than 2^32 - 1 rows");
  if (rows <= codes_.capacity() && rows <= ids_.capacity()) return;
  const size_t rpb = codes_.rows_per_block();
  const uint64_t blocks = std::max<uint64_t>((rows + rpb - 1) / rpb, codes_.block_count());
  const uint64_t cap = grown_capacity(ids_.capacity(), rows);
  // int8 before the fit also holds up to fit_rows() float rows (released once fitted).
  const bool pending = config_.storage == Storage::kInt8 && !config_.keep_float && !fitted_;
  const uint64_t pending_bytes = pending ? uint64_t(std::min(rows, fit_rows())) * config_.dims * 4 : 0;
  const uint64_t total = blocks * (codes_.block_bytes() + floats_.block_bytes()) + pending_bytes +
                         cap * (sizeof(uint32_t) + sizeof(std::vector<uint32_t>) +
                                (config_.storage == Storage::kInt8 ? sizeof(float) : 0));
  if (total > max_bytes()) {
    const bool configured = config_.max_bytes != 0;
    fail(ErrorCode::kCapacity,
         "VectorIndex: cannot grow to " + std::to_string(rows) + " rows of " + std::to_string(config_.dims) + "-dim " +
             storage_name(config_.storage) + (config_.keep_float ? " (+float32 for rescoring)" : "") +
             ": it would use " + mib(total) + ", over the " +
             (configured ? "configured limit maxBytes = " + mib(max_bytes())
                         : "wasm32 limit of 4 GiB of linear memory (use int8 or binary storage, or fewer dimensions)") +
             "; it holds " + std::to_string(size()) + " rows in " + mib(memory_bytes()));
  }
  try {
    codes_.reserve(rows);
    floats_.reserve(rows);
    ids_.reserve(cap);
    tags_.reserve(cap);
    if (config_.storage == Storage::kInt8) scales_.reserve(cap);
    if (pending) pending_.reserve(std::min(rows, fit_rows()) * config_.dims);
    if (slot_of_.bucket_count() * slot_of_.max_load_factor() < rows) slot_of_.reserve(std::max(rows, size() * 2));
  } catch (const std::bad_alloc&) {
    codes_.shrink();
    floats_.shrink();
    fail(ErrorCode::kCapacity, "VectorIndex: out of WebAssembly memory while growing to " + std::to_string(rows) +
                                   " rows (index uses " + mib(memory_bytes()) +
                                   "; the heap cannot grow further: the 4 GiB wasm32 limit or the browser's own limit)");
  }
}

void VectorIndex::check_id_absent(uint32_t id) const {
  if (contains(id)) invalid("id " + std::to_string(id) + " already exists (use update to replace its vector)");
}

uint32_t VectorIndex::slot_or_throw(uint32_t id, const char* op) const {
  const auto it = slot_of_.find(id);
  if (it == slot_of_.end()) invalid(std::string(op) + ": no vector with id " + std::to_string(id));
  return it->second;
}

std::vector<uint32_t> VectorIndex::checked_tags(const uint32_t* tags, size_t tag_count, const std::string& where) const {
  std::vector<uint32_t> t(tags, tags + tag_count);
  for (uint32_t tag : t)
    if (tag >= tag_names_.size()) invalid(where + "unknown tag id " + std::to_string(tag));
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  return t;
}

void VectorIndex::prepare(const float* in, float* out, const std::string& what) const {
  const size_t n = config_.dims;
  double ss = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(in[i]))
      invalid(what + " component " + std::to_string(i) + " is " + (std::isnan(in[i]) ? "NaN" : "infinite") +
              " (vectors must be finite)");
    out[i] = in[i];
    ss += double(in[i]) * double(in[i]);
  }
  if (config_.metric == Metric::kCosine && ss > 0.0) {
    const float inv = float(1.0 / std::sqrt(ss));
    for (size_t i = 0; i < n; ++i) out[i] *= inv;
  }
}

const float* VectorIndex::float_row(size_t slot) const {
  if (config_.keep_float) return reinterpret_cast<const float*>(floats_.row(slot));
  return pending_.data() + slot * config_.dims;
}

void VectorIndex::write_row(size_t slot, const float* v) {
  uint8_t* row = codes_.row(slot);
  const size_t dims = config_.dims;
  switch (config_.storage) {
    case Storage::kFloat32: std::memcpy(row, v, code_bytes()); break;
    case Storage::kInt8: {
      std::vector<float> t(dims);
      transform_.forward(v, t.data());
      scales_[slot] = quantize_i8(t.data(), dims, reinterpret_cast<int8_t*>(row));
      break;
    }
    case Storage::kBinary: binarize(v, dims, reinterpret_cast<uint64_t*>(row)); break;
  }
  if (config_.keep_float) std::memcpy(floats_.row(slot), v, dims * 4);
  else if (config_.storage == Storage::kInt8 && !fitted_) std::memcpy(pending_.data() + slot * dims, v, dims * 4);
}

void VectorIndex::fit_int8() {
  const size_t n = size(), dims = config_.dims;
  std::vector<double> mean(dims, 0.0);
  for (size_t s = 0; s < n; ++s) {
    const float* x = float_row(s);
    for (size_t d = 0; d < dims; ++d) mean[d] += x[d];
  }
  std::vector<float> center(dims);
  for (size_t d = 0; d < dims; ++d) center[d] = float(mean[d] / double(n));
  transform_ = Int8Transform::fitted(std::move(center));
  fitted_ = true;
  for (size_t s = 0; s < n; ++s) write_row(s, float_row(s));
  std::vector<float>().swap(pending_);
}

size_t VectorIndex::push_row(uint32_t id, std::vector<uint32_t> tags) {
  const size_t slot = size();
  codes_.push_back();
  if (config_.keep_float) floats_.push_back();
  if (config_.storage == Storage::kInt8) {
    scales_.push_back(0.0f);
    if (!config_.keep_float && !fitted_) pending_.resize(pending_.size() + config_.dims);
  }
  ids_.push_back(id);
  tags_.push_back(std::move(tags));
  slot_of_.emplace(id, uint32_t(slot));
  return slot;
}

void VectorIndex::add(uint32_t id, const float* vector, const uint32_t* tags, size_t tag_count) {
  check_id_absent(id);
  std::vector<float> v(config_.dims);
  prepare(vector, v.data(), "vector");
  std::vector<uint32_t> t = checked_tags(tags, tag_count);
  reserve_rows(size() + 1);
  write_row(push_row(id, std::move(t)), v.data());
  if (config_.storage == Storage::kInt8 && !fitted_ && size() == fit_rows()) fit_int8();
}

void VectorIndex::add_batch(const uint32_t* ids, const float* vectors, size_t n, const uint32_t* tags,
                            const uint32_t* tag_offsets) {
  // Everything is checked before the first row goes in: a failed batch leaves the index as it was.
  std::unordered_set<uint32_t> seen;
  seen.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    check_id_absent(ids[i]);
    if (!seen.insert(ids[i]).second) invalid("id " + std::to_string(ids[i]) + " appears twice in the batch");
  }
  const size_t dims = config_.dims;
  for (size_t i = 0; i < n * dims; ++i)
    if (!std::isfinite(vectors[i]))
      invalid(row_name(i / dims) + " (id " + std::to_string(ids[i / dims]) + ") component " +
              std::to_string(i % dims) + " is " + (std::isnan(vectors[i]) ? "NaN" : "infinite") +
              " (vectors must be finite)");
  std::vector<std::vector<uint32_t>> row_tags(n);
  if (tag_offsets) {
    for (size_t i = 0; i < n; ++i) {
      if (tag_offsets[i + 1] < tag_offsets[i]) invalid("tag offsets must not decrease");
      row_tags[i] = checked_tags(tags + tag_offsets[i], tag_offsets[i + 1] - tag_offsets[i], row_name(i) + ": ");
    }
  }
  reserve_rows(size() + n);
  std::vector<float> v(dims);
  for (size_t i = 0; i < n; ++i) {
    prepare(vectors + i * dims, v.data(), row_name(i));
    write_row(push_row(ids[i], std::move(row_tags[i])), v.data());
    if (config_.storage == Storage::kInt8 && !fitted_ && size() == fit_rows()) fit_int8();
  }
}

void VectorIndex::update(uint32_t id, const float* vector, bool has_tags, const uint32_t* tags, size_t tag_count) {
  const uint32_t slot = slot_or_throw(id, "update");
  std::vector<float> v(config_.dims);
  prepare(vector, v.data(), "vector");
  std::vector<uint32_t> t;
  if (has_tags) t = checked_tags(tags, tag_count);
  write_row(slot, v.data());
  if (has_tags) tags_[slot] = std::move(t);
}

void VectorIndex::set_tags(uint32_t id, const uint32_t* tags, size_t tag_count) {
  const uint32_t slot = slot_or_throw(id, "setTags");
  tags_[slot] = checked_tags(tags, tag_count);
}

bool VectorIndex::remove(uint32_t id) {
  const auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return false;
  const size_t slot = it->second, last = size() - 1;
  slot_of_.erase(it);
  if (slot != last) {
    // Keep rows contiguous: the last row fills the hole.
    std::memcpy(codes_.row(slot), codes_.row(last), codes_.row_bytes());
    if (config_.keep_float) std::memcpy(floats_.row(slot), floats_.row(last), floats_.row_bytes());
    if (config_.storage == Storage::kInt8) scales_[slot] = scales_[last];
    if (!pending_.empty())
      std::memcpy(pending_.data() + slot * config_.dims, pending_.data() + last * config_.dims, config_.dims * 4);
    ids_[slot] = ids_[last];
    tags_[slot] = std::move(tags_[last]);
    slot_of_[ids_[slot]] = uint32_t(slot);
  }
  codes_.pop_back();
  if (config_.keep_float) floats_.pop_back();
  if (config_.storage == Storage::kInt8) scales_.pop_back();
  if (!pending_.empty()) pending_.resize(pending_.size() - config_.dims);
  ids_.pop_back();
  tags_.pop_back();
  codes_.shrink();
  floats_.shrink();
  return true;
}

void VectorIndex::get(uint32_t id, float* out) const {
  const uint32_t slot = slot_or_throw(id, "get");
  const size_t n = config_.dims;
  if (config_.storage == Storage::kFloat32) {
    std::memcpy(out, codes_.row(slot), n * 4);
  } else if (has_float_rows()) {
    std::memcpy(out, float_row(slot), n * 4);
  } else if (config_.storage == Storage::kInt8) {
    const auto* c = reinterpret_cast<const int8_t*>(codes_.row(slot));
    std::vector<float> y(n);
    for (size_t i = 0; i < n; ++i) y[i] = float(c[i]) * scales_[slot];
    transform_.inverse(y.data(), out);
  } else {
    const auto* bits = reinterpret_cast<const uint64_t*>(codes_.row(slot));
    const float mag = config_.metric == Metric::kCosine ? float(1.0 / std::sqrt(double(n))) : 1.0f;
    for (size_t i = 0; i < n; ++i) out[i] = ((bits[i >> 6] >> (i & 63)) & 1) ? mag : -mag;
  }
}

const std::vector<uint32_t>& VectorIndex::tags_of(uint32_t id) const { return tags_[slot_or_throw(id, "tags")]; }

uint32_t VectorIndex::intern_tag(const std::string& name) {
  const auto it = tag_ids_.find(name);
  if (it != tag_ids_.end()) return it->second;
  const auto id = uint32_t(tag_names_.size());
  tag_names_.push_back(name);
  tag_ids_.emplace(name, id);
  return id;
}

int64_t VectorIndex::find_tag(const std::string& name) const {
  const auto it = tag_ids_.find(name);
  return it == tag_ids_.end() ? -1 : int64_t(it->second);
}

void VectorIndex::tag_filter(const uint32_t* tags, size_t tag_count, bool all, uint64_t* out) const {
  std::vector<uint32_t> want(tags, tags + tag_count);
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  const size_t words = (size() + 63) / 64;
  std::memset(out, 0, words * 8);
  for (size_t s = 0; s < size(); ++s) {
    const auto& have = tags_[s];
    bool ok;
    if (all) {
      ok = std::includes(have.begin(), have.end(), want.begin(), want.end());
    } else {
      ok = false;
      for (size_t i = 0, j = 0; i < have.size() && j < want.size();) {
        if (have[i] == want[j]) { ok = true; break; }
        if (have[i] < want[j]) ++i; else ++j;
      }
    }
    if (ok) out[s >> 6] |= uint64_t(1) << (s & 63);
  }
}

std::vector<Scored> VectorIndex::scan_float(const float* q, size_t k, const uint64_t* allow) const {
  TopK top(k);
  const size_t dims = config_.dims, rpb = codes_.rows_per_block();
  for (size_t b = 0; b < codes_.block_count(); ++b) {
    const auto* base = reinterpret_cast<const float*>(codes_.block(b));
    const size_t rows = codes_.rows_in_block(b), slot0 = b * rpb;
    for (size_t r = 0; r < rows; ++r) {
      if (!allowed(allow, slot0 + r)) continue;
      top.push(dot_f32(base + r * dims, q, dims), ids_[slot0 + r]);
    }
  }
  return top.take();
}

// A query as the int8 scan and rescoring see it: w = R q (so that q.x = offset + row_scale *
// w.code), its int8 codes and scale, and offset = q.center.
struct VectorIndex::Int8Query {
  std::vector<float> w;
  std::vector<int8_t> codes;
  float scale = 0.0f;
  float offset = 0.0f;
};

VectorIndex::Int8Query VectorIndex::int8_query(const float* q) const {
  const size_t dims = config_.dims;
  Int8Query iq;
  iq.w.resize(dims);
  iq.codes.resize(dims);
  iq.offset = transform_.rotate_query(q, iq.w.data());
  iq.scale = quantize_i8(iq.w.data(), dims, iq.codes.data());
  return iq;
}

// Scores without the per-query offset (it does not change the order; search adds it back).
std::vector<Scored> VectorIndex::scan_int8(const Int8Query& q, size_t k, const uint64_t* allow) const {
  const size_t dims = config_.dims, rpb = codes_.rows_per_block();
  const int8_t* qc = q.codes.data();
  const float qs = q.scale;
  TopK top(k);
  for (size_t b = 0; b < codes_.block_count(); ++b) {
    const auto* base = reinterpret_cast<const int8_t*>(codes_.block(b));
    const size_t rows = codes_.rows_in_block(b), slot0 = b * rpb;
    for (size_t r = 0; r < rows; ++r) {
      if (!allowed(allow, slot0 + r)) continue;
      const float s = float(dot_i8(base + r * dims, qc, dims)) * (qs * scales_[slot0 + r]);
      top.push(s, uint32_t(slot0 + r));
    }
  }
  return top.take();
}

std::vector<Scored> VectorIndex::scan_binary(const float* q, size_t k, const uint64_t* allow) const {
  const size_t words = binary_words(config_.dims), rpb = codes_.rows_per_block();
  std::vector<uint64_t> qb(words);
  binarize(q, config_.dims, qb.data());
  TopK top(k);
  uint32_t worst = UINT32_MAX;
  for (size_t b = 0; b < codes_.block_count(); ++b) {
    const auto* base = reinterpret_cast<const uint64_t*>(codes_.block(b));
    const size_t rows = codes_.rows_in_block(b), slot0 = b * rpb;
    hamming_scan(base, rows, words, qb.data(), slot0, allow, top, worst);
  }
  return top.take();
}

float VectorIndex::int8_score(size_t slot, float dot) const {
  // Cosine: the dequantized row is not exactly a unit vector; scoring against its direction
  // removes the error component along the row itself, the one that dominates for the near
  // neighbours a search is after (rms score error 1.7e-4 -> 1.1e-4 on embedding-like vectors).
  // Format-1 indexes (identity transform) keep their original scores.
  if (config_.metric != Metric::kCosine || transform_.is_identity()) return dot;
  const float norm = transform_.dequantized_norm(reinterpret_cast<const int8_t*>(codes_.row(slot)), scales_[slot]);
  return norm > 0.0f ? dot / norm : dot;
}

float VectorIndex::rescore(size_t slot, const float* q, const Int8Query* iq) const {
  const size_t n = config_.dims;
  if (has_float_rows()) return dot_f32(float_row(slot), q, n);
  if (config_.storage == Storage::kInt8) {
    const auto* code = reinterpret_cast<const int8_t*>(codes_.row(slot));
    return int8_score(slot, iq->offset + dot_f32_i8(iq->w.data(), code, n) * scales_[slot]);
  }
  const float s = dot_f32_signs(q, reinterpret_cast<const uint64_t*>(codes_.row(slot)), n);
  return config_.metric == Metric::kCosine ? s * float(1.0 / std::sqrt(double(n))) : s;
}

std::vector<Hit> VectorIndex::search(const float* query, const SearchParams& p) const {
  std::vector<Hit> hits;
  std::vector<float> q(config_.dims);
  prepare(query, q.data(), "query");  // a NaN query is refused even on an empty index
  if (p.k == 0 || size() == 0) return hits;
  const size_t k = std::min(p.k, size());
  // Quantization error can push a cosine score just past +-1; a cosine index never returns one.
  const bool clamp = config_.metric == Metric::kCosine;
  auto emit = [&](const std::vector<Scored>& top) {
    for (const Scored& s : top) hits.push_back({s.key, clamp ? std::clamp(s.score, -1.0f, 1.0f) : s.score});
    return hits;
  };
  if (config_.storage == Storage::kFloat32) return emit(scan_float(q.data(), k, p.allow));
  const size_t shortlist = p.oversample > 0 ? std::min(size(), std::max(k, k * p.oversample)) : k;
  Int8Query iq;
  std::vector<Scored> cand;
  if (config_.storage == Storage::kInt8) {
    iq = int8_query(q.data());
    cand = scan_int8(iq, shortlist, p.allow);
  } else {
    cand = scan_binary(q.data(), shortlist, p.allow);
  }
  TopK top(k);
  const float dims = float(config_.dims);
  for (const Scored& c : cand) {
    float score;
    if (p.oversample > 0) score = rescore(c.key, q.data(), &iq);
    else if (config_.storage == Storage::kBinary) score = (dims + 2.0f * c.score) / dims;  // c.score = -hamming
    else score = int8_score(c.key, c.score + iq.offset);
    top.push(score, ids_[c.key]);
  }
  return emit(top.take());
}

// ---------------------------------------------------------------- persistence
// Payload (after the common header, see serialize.h):
//   u8 metric, u8 storage, u8 keep_float, u8 reserved(0), u64 max_bytes
//   u32 tag name count, then each name (u32 length + UTF-8)
//   count x u32 ids (slot order)
//   per row: u32 tag count + that many u32 tag ids
//   count x code row bytes; int8: count x f32 scales
//   int8, version >= 2: u8 transform state, u8 x3 reserved(0). State 1 (fitted): dims x f32
//     center, dims x u32 signed permutation (int8_transform.h). State 0 (before the fit) without
//     keep_float: count x dims x f32 rows (the rows the fit will need). State 2: the identity
//     transform for good (an index first saved in format 1): nothing follows.
//   keep_float: count x dims x f32
// Version 1 has no int8 transform block: its int8 rows load with the identity transform, fitted.
// Every stored float (scales, transform, rows) must be finite: anything else is corrupt.

std::vector<uint8_t> VectorIndex::save() const {
  ByteWriter w;
  const size_t n = size();
  w.reserve(kHeaderBytes + 64 + n * (8 + codes_.row_bytes() + floats_.row_bytes() + 4) + 4);
  w.begin(kKindVector, config_.dims, uint32_t(n));
  w.u8(uint8_t(config_.metric));
  w.u8(uint8_t(config_.storage));
  w.u8(config_.keep_float ? 1 : 0);
  w.u8(0);
  w.u64(config_.max_bytes);
  w.u32(uint32_t(tag_names_.size()));
  for (const auto& name : tag_names_) w.str(name);
  for (size_t s = 0; s < n; ++s) w.u32(ids_[s]);
  for (size_t s = 0; s < n; ++s) {
    w.u32(uint32_t(tags_[s].size()));
    for (uint32_t t : tags_[s]) w.u32(t);
  }
  for (size_t s = 0; s < n; ++s) w.bytes(codes_.row(s), codes_.row_bytes());
  if (config_.storage == Storage::kInt8) {
    for (size_t s = 0; s < n; ++s) w.f32(scales_[s]);
    // 0 = before the fit, 1 = fitted, 2 = identity for good (a format-1 index)
    w.u8(!fitted_ ? 0 : transform_.is_identity() ? 2 : 1);
    for (int i = 0; i < 3; ++i) w.u8(0);
    if (fitted_ && !transform_.is_identity()) {
      for (float c : transform_.center()) w.f32(c);
      for (uint32_t p : transform_.signed_perm()) w.u32(p);
    } else if (!config_.keep_float) {
      w.bytes(pending_.data(), pending_.size() * 4);
    }
  }
  if (config_.keep_float)
    for (size_t s = 0; s < n; ++s) w.bytes(floats_.row(s), floats_.row_bytes());
  return w.finish();
}

VectorIndex VectorIndex::load(const uint8_t* data, size_t size) {
  Container c = open_container(data, size, kKindVector);
  ByteReader& r = c.payload;
  auto corrupt = [](const std::string& m) { fail(ErrorCode::kCorrupt, "index bytes are corrupt: " + m); };
  VectorIndexConfig cfg;
  cfg.dims = c.dims;
  const uint8_t metric = r.u8("metric"), storage = r.u8("storage"), keep = r.u8("keep_float flag");
  if (r.u8("reserved byte") != 0) corrupt("reserved byte is not zero");
  if (metric > 1) corrupt("unknown metric code " + std::to_string(metric));
  if (storage > 2) corrupt("unknown storage code " + std::to_string(storage));
  if (keep > 1 || (keep == 1 && storage == uint8_t(Storage::kFloat32)))
    corrupt("keep_float flag is " + std::to_string(keep) + " for storage code " + std::to_string(storage));
  if (cfg.dims == 0 || cfg.dims > kMaxDims) corrupt("dims " + std::to_string(cfg.dims) + " out of range");
  cfg.metric = Metric(metric);
  cfg.storage = Storage(storage);
  cfg.keep_float = keep == 1;
  cfg.max_bytes = r.u64("max_bytes");
  VectorIndex idx(cfg);
  const uint32_t ntags = r.u32("tag count");
  if (ntags > r.remaining() / 4) corrupt("tag count " + std::to_string(ntags) + " exceeds the payload");
  for (uint32_t t = 0; t < ntags; ++t) {
    const std::string name = r.str("tag name");
    if (idx.find_tag(name) >= 0) corrupt("tag \"" + name + "\" appears twice");
    idx.intern_tag(name);
  }
  const size_t n = c.count;
  // Every row needs at least its id, tag count and code bytes: reject impossible counts before
  // allocating anything for them.
  const uint64_t min_row = 8 + uint64_t(idx.codes_.row_bytes());
  if (uint64_t(n) * min_row > r.remaining()) corrupt("count " + std::to_string(n) + " rows do not fit the payload");
  idx.reserve_rows(n);
  const uint8_t* id_bytes = r.bytes(n * 4, "ids");
  for (size_t s = 0; s < n; ++s) {
    uint32_t id;
    std::memcpy(&id, id_bytes + s * 4, 4);  // little-endian host (wasm, x86, arm)
    if (!idx.slot_of_.emplace(id, uint32_t(s)).second) corrupt("id " + std::to_string(id) + " appears twice");
    idx.ids_.push_back(id);
  }
  for (size_t s = 0; s < n; ++s) {
    const uint32_t nt = r.u32("row tag count");
    if (nt > ntags) corrupt("row " + std::to_string(s) + " has " + std::to_string(nt) + " tags");
    std::vector<uint32_t> t(nt);
    for (uint32_t i = 0; i < nt; ++i) {
      t[i] = r.u32("row tag");
      if (t[i] >= ntags || (i > 0 && t[i] <= t[i - 1])) corrupt("row " + std::to_string(s) + " has a bad tag list");
    }
    idx.tags_.push_back(std::move(t));
  }
  const size_t cb = idx.codes_.row_bytes();
  if (uint64_t(n) * cb > r.remaining()) corrupt("vector rows extend past the payload");
  const uint8_t* codes = r.bytes(n * cb, "vector rows");
  const size_t dims = cfg.dims, words = binary_words(dims);
  auto check_finite = [&](const uint8_t* p, size_t count, const char* what) {
    for (size_t i = 0; i < count; ++i) {
      float v;
      std::memcpy(&v, p + i * 4, 4);
      if (!std::isfinite(v))
        corrupt(std::string(what) + ": row " + std::to_string(i / dims) + " component " + std::to_string(i % dims) +
                " is not finite");
    }
  };
  if (cfg.storage == Storage::kFloat32) check_finite(codes, n * dims, "float32 rows");
  const uint64_t pad_mask = dims % 64 == 0 ? 0 : ~((uint64_t(1) << (dims % 64)) - 1);
  for (size_t s = 0; s < n; ++s) {
    uint8_t* row = idx.codes_.push_back();
    std::memcpy(row, codes + s * cb, cb);
    if (cfg.storage == Storage::kBinary) {
      uint64_t last;
      std::memcpy(&last, row + (words - 1) * 8, 8);
      if (last & pad_mask) corrupt("row " + std::to_string(s) + " has bits set past dimension " + std::to_string(dims));
    }
  }
  if (cfg.storage == Storage::kInt8) {
    for (size_t s = 0; s < n; ++s) {
      idx.scales_.push_back(r.finite_f32("int8 row scales"));
      if (idx.scales_.back() < 0.0f) corrupt("int8 row " + std::to_string(s) + " has a negative scale");
    }
    idx.fitted_ = true;  // version 1: the identity transform, frozen (there are no float rows to fit on)
    if (c.version >= 2) {
      const uint8_t state = r.u8("int8 transform state");
      if (state > 2) corrupt("int8 transform state is " + std::to_string(state));
      for (int i = 0; i < 3; ++i)
        if (r.u8("reserved byte") != 0) corrupt("reserved byte is not zero");
      idx.fitted_ = state != 0;
      if (state == 1) {
        std::vector<float> center(dims);
        std::vector<uint32_t> perm(dims);
        for (size_t d = 0; d < dims; ++d) center[d] = r.finite_f32("int8 center");
        for (size_t d = 0; d < dims; ++d) perm[d] = r.u32("int8 rotation");
        if (!Int8Transform::restore(std::move(center), std::move(perm), idx.transform_))
          corrupt("int8 rotation is not a signed permutation");
      } else if (state == 0) {
        if (n >= idx.fit_rows()) corrupt("an int8 index of " + std::to_string(n) + " rows is not fitted");
        if (!cfg.keep_float) {
          if (uint64_t(n) * dims * 4 > r.remaining()) corrupt("int8 pending float32 rows extend past the payload");
          const uint8_t* fl = r.bytes(n * dims * 4, "int8 pending float32 rows");
          check_finite(fl, n * dims, "int8 pending float32 rows");
          idx.pending_.resize(n * dims);
          // An empty index has no pending rows: memcpy's pointers must not be null even for 0 bytes.
          if (n != 0) std::memcpy(idx.pending_.data(), fl, n * dims * 4);
        }
      }
    }
  }
  if (cfg.keep_float) {
    const size_t fb = idx.floats_.row_bytes();
    if (uint64_t(n) * fb > r.remaining()) corrupt("float32 rows extend past the payload");
    const uint8_t* fl = r.bytes(n * fb, "float32 rows");
    check_finite(fl, n * dims, "float32 rows");
    for (size_t s = 0; s < n; ++s) std::memcpy(idx.floats_.push_back(), fl + s * fb, fb);
  }
  r.expect_end("vector index payload");
  if (idx.fitted_) std::vector<float>().swap(idx.pending_);  // reserve_rows() made room before the flag was read
  return idx;
}

}  // namespace wasmbed::index
