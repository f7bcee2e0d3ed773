#include "index/static_searcher.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>

#include "common/error.h"
#include "index/hamming_scan.h"
#include "index/kernels.h"
#include "index/kmeans.h"

namespace wasmbed::index {

namespace {
[[noreturn]] void invalid(const std::string& msg) { fail(ErrorCode::kInvalidArgument, "StaticIndex: " + msg); }
}  // namespace

struct StaticSearcher::Query {
  std::vector<float> q;   // the query as rows were stored (normalized for cosine)
  std::vector<float> w;   // R q
  std::vector<int8_t> codes;
  float scale = 0.0f;
  float offset = 0.0f;    // q . center
  std::vector<uint64_t> bits;  // binary: sign bits of w
};

StaticSearcher::StaticSearcher(const uint8_t* data, size_t size, const StaticLayout& layout, uint32_t partitions)
    : layout_(layout), centroids_(read_centroids(data, size, layout, partitions)) {
  half_norms_ = centroid_half_norms(centroids_.centroids.data(), partitions, layout.dims);
}

size_t StaticSearcher::memory_bytes() const {
  size_t b = centroids_.centroids.size() * 4;
  for (const auto& [p, s] : segments_)
    b += s.rows.size() * 8 + s.inv_norms.size() * 4 + s.codes.size() + s.tags.size() * 4 + s.tag_offsets.size() * 4 + s.floats.size() * 4;
  return b;
}

StaticSearcher::Query StaticSearcher::prepare(const float* in) const {
  const size_t dims = layout_.dims;
  Query q;
  q.q.assign(in, in + dims);
  for (float v : q.q)
    if (!std::isfinite(v)) invalid("the query has a non-finite value");
  if (layout_.metric == Metric::kCosine) {
    const float norm = std::sqrt(dot_f32(q.q.data(), q.q.data(), dims));
    if (norm > 0.0f)
      for (auto& v : q.q) v /= norm;
  }
  q.w.resize(dims);
  q.offset = centroids_.transform.rotate_query(q.q.data(), q.w.data());
  if (layout_.storage == Storage::kBinary) {
    q.bits.resize(binary_words(dims));
    binarize(q.w.data(), dims, q.bits.data());
  } else {
    q.codes.resize(dims);
    q.scale = quantize_i8(q.w.data(), dims, q.codes.data());
  }
  return q;
}

std::vector<uint32_t> StaticSearcher::probe(const float* query, size_t nprobe) const {
  const size_t dims = layout_.dims, k = partitions();
  Query q = prepare(query);
  // y = R (q - center) = w - R center: the space the centroids live in.
  std::vector<float> y(dims);
  centroids_.transform.forward(q.q.data(), y.data());
  TopK top(std::min(nprobe, k));
  for (size_t j = 0; j < k; ++j)
    top.push(dot_f32(y.data(), &centroids_.centroids[j * dims], dims) - half_norms_[j], uint32_t(j));
  std::vector<uint32_t> out;
  for (const Scored& s : top.take()) out.push_back(s.key);
  return out;
}

size_t StaticSearcher::add_segment(uint32_t p, const uint8_t* data, size_t size) {
  if (p >= partitions()) invalid("partition " + std::to_string(p) + " out of range");
  size_t ids_at = 0;
  StaticSegment s = read_segment(data, size, layout_, p, ids_at);
  if (s.size() != centroids_.partition_rows[p])
    fail(ErrorCode::kCorrupt, "segment: holds " + std::to_string(s.size()) + " rows, the centroids file lists " +
                                  std::to_string(centroids_.partition_rows[p]));
  for (uint32_t r : s.rows)
    if (r >= centroids_.total_rows) fail(ErrorCode::kCorrupt, "segment: row number out of range");
  if (layout_.storage == Storage::kInt8 && layout_.metric == Metric::kCosine) {
    s.inv_norms.resize(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      const float norm = centroids_.transform.dequantized_norm(reinterpret_cast<const int8_t*>(&s.codes[i * layout_.dims]), s.scales[i]);
      s.inv_norms[i] = norm > 0.0f ? 1.0f / norm : 1.0f;
    }
  }
  segments_[p] = std::move(s);
  return ids_at;
}

bool StaticSearcher::tag_match(const StaticSegment& s, size_t i, const StaticSearchParams& p) const {
  if (s.tag_offsets.empty()) return false;
  const uint32_t* begin = &s.tags[0] + s.tag_offsets[i];
  const uint32_t* end = &s.tags[0] + s.tag_offsets[i + 1];
  size_t hits = 0;
  for (size_t t = 0; t < p.tag_count; ++t)
    if (std::find(begin, end, p.tags[t]) != end) {
      if (!p.all_tags) return true;
      ++hits;
    }
  return p.all_tags && hits == p.tag_count;
}

float StaticSearcher::int8_cosine(const StaticSegment& s, size_t i, float dot) const {
  // As VectorIndex::int8_score: against the dequantized row's direction.
  return s.inv_norms.empty() ? dot : dot * s.inv_norms[i];
}

float StaticSearcher::rescore(const StaticSegment& s, size_t i, const Query& q) const {
  const size_t dims = layout_.dims;
  if (layout_.keep_float) return dot_f32(&s.floats[i * dims], q.q.data(), dims);
  if (layout_.storage == Storage::kInt8)
    return int8_cosine(s, i, q.offset + dot_f32_i8(q.w.data(), reinterpret_cast<const int8_t*>(&s.codes[i * dims]), dims) * s.scales[i]);
  const auto* bits = reinterpret_cast<const uint64_t*>(&s.codes[i * layout_.code_bytes()]);
  return q.offset + s.scales[i] * dot_f32_signs(q.w.data(), bits, dims);
}

float StaticSearcher::raw_score(const StaticSegment&, size_t, float scanned, const Query&) const {
  if (layout_.storage == Storage::kInt8) return scanned;  // the scan's score is already the int8 score
  const float dims = float(layout_.dims);
  return (dims + 2.0f * scanned) / dims;  // scanned = -hamming
}

std::vector<StaticHit> StaticSearcher::search(const float* query, const uint32_t* parts, size_t nparts,
                                              const StaticSearchParams& p) const {
  const Query q = prepare(query);
  std::vector<StaticHit> hits;
  if (p.k == 0) return hits;
  // The probed segments in the caller's order, each once; candidate key = base + position.
  std::vector<const StaticSegment*> segs;
  std::vector<size_t> base;
  size_t total = 0;
  for (size_t i = 0; i < nparts; ++i) {
    auto it = segments_.find(parts[i]);
    if (it == segments_.end()) invalid("partition " + std::to_string(parts[i]) + " is not loaded");
    if (std::find(segs.begin(), segs.end(), &it->second) != segs.end()) continue;
    segs.push_back(&it->second);
    base.push_back(total);
    total += it->second.size();
  }
  if (total > UINT32_MAX) invalid("too many rows probed");
  const size_t shortlist = p.oversample > 0 ? std::max(p.k, p.k * p.oversample) : p.k;
  TopK top(shortlist);
  const bool filtered = p.tags != nullptr || p.tag_count > 0;
  const size_t dims = layout_.dims;
  if (layout_.storage == Storage::kInt8) {
    for (size_t si = 0; si < segs.size(); ++si) {
      const StaticSegment& s = *segs[si];
      const auto* codes = reinterpret_cast<const int8_t*>(s.codes.data());
      // The full int8 score (offset and, for cosine, the row's norm included), so the shortlist
      // is ranked exactly as the scores without rescoring are.
      const float* inv = s.inv_norms.empty() ? nullptr : s.inv_norms.data();
      for (size_t i = 0; i < s.size(); ++i) {
        if (filtered && !tag_match(s, i, p)) continue;
        const float score = q.offset + float(dot_i8(codes + i * dims, q.codes.data(), dims)) * (q.scale * s.scales[i]);
        top.push(inv ? score * inv[i] : score, uint32_t(base[si] + i));
      }
    }
  } else {
    const size_t words = binary_words(dims);
    uint32_t worst = UINT32_MAX;
    std::vector<uint64_t> allow;
    for (size_t si = 0; si < segs.size(); ++si) {
      const StaticSegment& s = *segs[si];
      const uint64_t* allow_ptr = nullptr;
      if (filtered) {  // hamming_scan takes slot bitmaps: one over this segment's slots
        allow.assign((base[si] + s.size() + 63) / 64, 0);
        for (size_t i = 0; i < s.size(); ++i)
          if (tag_match(s, i, p)) allow[(base[si] + i) >> 6] |= uint64_t(1) << ((base[si] + i) & 63);
        allow_ptr = allow.data();
      }
      hamming_scan(reinterpret_cast<const uint64_t*>(s.codes.data()), s.size(), words, q.bits.data(), base[si],
                   allow_ptr, top, worst);
    }
  }
  // Rescore (or finish the raw scores), then the final top-k ranked by score, then row number.
  struct Cand { const StaticSegment* s; size_t seg; size_t i; };
  std::unordered_map<uint32_t, Cand> by_row;
  TopK best(p.k);
  const bool clamp = layout_.metric == Metric::kCosine;
  for (const Scored& c : top.take()) {
    const size_t si = size_t(std::upper_bound(base.begin(), base.end(), size_t(c.key)) - base.begin()) - 1;
    const StaticSegment& s = *segs[si];
    const size_t i = c.key - base[si];
    float score = p.oversample > 0 ? rescore(s, i, q) : raw_score(s, i, c.score, q);
    if (clamp) score = std::clamp(score, -1.0f, 1.0f);
    by_row[s.rows[i]] = {&s, si, i};
    best.push(score, s.rows[i]);
  }
  for (const Scored& b : best.take()) {
    const Cand& c = by_row.at(b.key);
    hits.push_back({b.key, b.score, c.s->partition, uint32_t(c.i)});
  }
  return hits;
}

}  // namespace wasmbed::index
