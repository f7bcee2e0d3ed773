#include "index/static_builder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>

#include "common/error.h"
#include "index/kernels.h"
#include "index/kmeans.h"

namespace wasmbed::index {

namespace {

[[noreturn]] void invalid(const std::string& msg) { fail(ErrorCode::kInvalidArgument, "StaticIndex build: " + msg); }

size_t block_log2(size_t row_bytes) {
  size_t log2 = 0;
  while (log2 < 16 && (row_bytes << (log2 + 1)) <= (size_t(4) << 20)) ++log2;  // ~4 MiB blocks
  return log2;
}

}  // namespace

StaticBuilder::StaticBuilder(const StaticBuilderConfig& config) : config_(config) {
  const StaticLayout& l = config_.layout;
  if (l.dims == 0 || l.dims > 65536) invalid("dims must be in 1..65536");
  if (l.storage != Storage::kInt8 && l.storage != Storage::kBinary) invalid("storage must be int8 or binary");
  if (config_.count == 0 || config_.count > UINT32_MAX) invalid("count must be in 1..2^32-1");
  if (config_.partitions == 0 || config_.partitions > config_.count) invalid("partitions must be in 1..count");
  if (config_.iterations > 1000) invalid("iterations must be <= 1000");
  fit_rows_ = config_.fit_rows ? std::min(config_.fit_rows, config_.count) : std::min<size_t>(config_.count, 16384);
  sample_rows_ = config_.sample_rows
                     ? config_.sample_rows
                     : std::min<size_t>(65536, std::max<size_t>(32 * config_.partitions, 4096));
  sample_rows_ = std::max(std::min(sample_rows_, config_.count), config_.partitions);
  codes_ = RowStore(l.dims, block_log2(l.dims));
  if (l.keep_float) floats_ = RowStore(size_t(l.dims) * 4, block_log2(size_t(l.dims) * 4));
  try {
    codes_.reserve(config_.count);
    if (l.keep_float) floats_.reserve(config_.count);
    scales_.reserve(config_.count);
    pending_.reserve(fit_rows_ * l.dims);
  } catch (const std::bad_alloc&) {
    fail(ErrorCode::kCapacity, "StaticIndex build: " + std::to_string(config_.count) + " rows of " +
                                   std::to_string(l.dims) + " dims do not fit in memory");
  }
}

size_t StaticBuilder::memory_bytes() const {
  return codes_.allocated_bytes() + floats_.allocated_bytes() + scales_.capacity() * 4 + pending_.capacity() * 4 +
         centroids_.size() * 4 + added_ * 4;
}

void StaticBuilder::add(const float* rows, size_t n) {
  const size_t dims = config_.layout.dims;
  if (n > config_.count - added_) invalid("more rows than the count given (" + std::to_string(config_.count) + ")");
  for (size_t i = 0; i < n * dims; ++i)
    if (!std::isfinite(rows[i])) invalid("row " + std::to_string(added_ + i / dims) + " has a non-finite value");
  std::vector<float> prepared(dims);
  for (size_t i = 0; i < n; ++i) {
    const float* x = rows + i * dims;
    std::memcpy(prepared.data(), x, dims * 4);
    if (config_.layout.metric == Metric::kCosine) {
      const float norm = std::sqrt(dot_f32(x, x, dims));
      if (norm > 0.0f)
        for (auto& v : prepared) v /= norm;
    }
    const size_t row = added_++;
    codes_.push_back();
    scales_.push_back(0.0f);
    if (config_.layout.keep_float) std::memcpy(floats_.push_back(), prepared.data(), dims * 4);
    if (fitted_) {
      encode(row, prepared.data());
    } else {
      pending_.insert(pending_.end(), prepared.begin(), prepared.end());
      if (added_ == fit_rows_) fit();
    }
  }
}

void StaticBuilder::fit() {
  const size_t dims = config_.layout.dims, n = added_;
  std::vector<double> sum(dims, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t d = 0; d < dims; ++d) sum[d] += pending_[i * dims + d];
  std::vector<float> mean(dims);
  for (size_t d = 0; d < dims; ++d) mean[d] = float(sum[d] / double(n));
  transform_ = Int8Transform::fitted(std::move(mean));
  fitted_ = true;
  for (size_t i = 0; i < n; ++i) encode(i, &pending_[i * dims]);
  std::vector<float>().swap(pending_);
}

void StaticBuilder::encode(size_t row, const float* prepared) {
  std::vector<float> y(config_.layout.dims);
  transform_.forward(prepared, y.data());
  scales_[row] = quantize_i8(y.data(), y.size(), reinterpret_cast<int8_t*>(codes_.row(row)));
}

void StaticBuilder::decode(size_t row, float* out) const {
  const auto* code = reinterpret_cast<const int8_t*>(codes_.row(row));
  for (size_t d = 0; d < config_.layout.dims; ++d) out[d] = float(code[d]) * scales_[row];
}

void StaticBuilder::train() {
  if (added_ != config_.count) invalid(std::to_string(added_) + " rows added, " + std::to_string(config_.count) + " announced");
  if (!fitted_) fit();
  const size_t dims = config_.layout.dims, n = added_, s = sample_rows_;
  // A seeded sample without repeats (partial Fisher-Yates), in row order.
  std::vector<uint32_t> pick(n);
  std::iota(pick.begin(), pick.end(), 0u);
  uint64_t rng = config_.seed ^ 0x5a4d1e5c0ffee123ull;
  for (size_t i = 0; i < s && s < n; ++i) std::swap(pick[i], pick[i + size_t(splitmix64_next(rng) % (n - i))]);
  pick.resize(s);
  std::sort(pick.begin(), pick.end());
  std::vector<float> sample(s * dims);
  for (size_t i = 0; i < s; ++i) decode(pick[i], &sample[i * dims]);
  KMeansParams p;
  p.k = config_.partitions;
  p.iterations = config_.iterations;
  p.seed = config_.seed;
  centroids_ = kmeans(sample.data(), s, dims, p);
  trained_ = true;
}

void StaticBuilder::assign() {
  if (!trained_) invalid("assign() before train()");
  const size_t dims = config_.layout.dims, k = config_.partitions;
  // Centroids as int8 codes: score = row_scale * c_scale * int8 dot - |c|^2 / 2.
  std::vector<int8_t> ccodes(k * dims);
  std::vector<float> cscale(k);
  for (size_t j = 0; j < k; ++j) cscale[j] = quantize_i8(&centroids_[j * dims], dims, &ccodes[j * dims]);
  const std::vector<float> half = centroid_half_norms(centroids_.data(), k, dims);
  members_.assign(k, {});
  for (size_t i = 0; i < added_; ++i) {
    const auto* code = reinterpret_cast<const int8_t*>(codes_.row(i));
    const float rs = scales_[i];
    uint32_t best = 0;
    float best_score = -std::numeric_limits<float>::infinity();
    for (size_t j = 0; j < k; ++j) {
      const float score = float(dot_i8(code, &ccodes[j * dims], dims)) * (rs * cscale[j]) - half[j];
      if (score > best_score) {
        best_score = score;
        best = uint32_t(j);
      }
    }
    members_[best].push_back(uint32_t(i));
  }
  assigned_ = true;
}

const std::vector<uint32_t>& StaticBuilder::partition_rows(uint32_t p) const {
  if (!assigned_) invalid("partition rows before assign()");
  if (p >= members_.size()) invalid("partition " + std::to_string(p) + " out of range");
  return members_[p];
}

std::vector<uint8_t> StaticBuilder::centroids_bytes() const {
  if (!assigned_) invalid("centroids before assign()");
  StaticCentroids c;
  c.layout = config_.layout;
  c.total_rows = added_;
  for (const auto& m : members_) c.partition_rows.push_back(uint32_t(m.size()));
  c.transform = transform_;
  c.centroids = centroids_;
  return write_centroids(c);
}

std::vector<uint8_t> StaticBuilder::segment_bytes(uint32_t p, const uint8_t* id_blob, const uint32_t* id_offsets,
                                                  const uint32_t* tags, const uint32_t* tag_offsets) const {
  const std::vector<uint32_t>& rows = partition_rows(p);
  const StaticLayout& l = config_.layout;
  const size_t n = rows.size(), dims = l.dims, cb = l.code_bytes();
  StaticSegment s;
  s.partition = p;
  s.rows = rows;
  s.scales.resize(n);
  s.codes.assign(n * cb, 0);
  for (size_t i = 0; i < n; ++i) {
    const auto* code = reinterpret_cast<const int8_t*>(codes_.row(rows[i]));
    if (l.storage == Storage::kInt8) {
      s.scales[i] = scales_[rows[i]];
      std::memcpy(&s.codes[i * cb], code, dims);
    } else {
      int64_t l1 = 0;
      auto* bits = reinterpret_cast<uint64_t*>(&s.codes[i * cb]);
      for (size_t d = 0; d < dims; ++d) {
        l1 += code[d] < 0 ? -code[d] : code[d];
        if (code[d] > 0) bits[d >> 6] |= uint64_t(1) << (d & 63);
      }
      s.scales[i] = float(double(l1) * scales_[rows[i]] / double(dims));
    }
  }
  if (tag_offsets) {
    s.tag_offsets.assign(tag_offsets, tag_offsets + n + 1);
    if (s.tag_offsets[0] != 0) invalid("tag offsets must start at 0");
    for (size_t i = 1; i <= n; ++i)
      if (s.tag_offsets[i] < s.tag_offsets[i - 1]) invalid("tag offsets must not decrease");
    s.tags.assign(tags, tags + s.tag_offsets[n]);
  }
  if (l.keep_float) {
    s.floats.resize(n * dims);
    for (size_t i = 0; i < n; ++i) std::memcpy(&s.floats[i * dims], floats_.row(rows[i]), dims * 4);
  }
  if (id_offsets[0] != 0) invalid("id offsets must start at 0");
  for (size_t i = 1; i <= n; ++i)
    if (id_offsets[i] < id_offsets[i - 1]) invalid("id offsets must not decrease");
  return write_segment(l, s, id_blob, id_offsets);
}

}  // namespace wasmbed::index
