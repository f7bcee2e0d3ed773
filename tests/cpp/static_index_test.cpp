// The static, partitioned index: seeded k-means, the builder's files and the searcher over them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "index/kmeans.h"
#include "index/static_builder.h"
#include "index/static_searcher.h"
#include "index_test_util.h"

namespace wasmbed::index {
namespace {

using testing::embedding_like;

constexpr size_t kDims = 64;

struct Built {
  std::vector<uint8_t> centroids;
  std::vector<std::vector<uint8_t>> segments;
  StaticLayout layout;
};

Built build(const std::vector<float>& rows, size_t n, size_t parts, uint64_t seed, Storage storage, bool keep_float,
            bool tags = false) {
  StaticBuilderConfig c;
  c.layout.dims = kDims;
  c.layout.storage = storage;
  c.layout.keep_float = keep_float;
  c.count = n;
  c.partitions = parts;
  c.seed = seed;
  c.fit_rows = 500;  // exercise the fit in the middle of a stream
  StaticBuilder b(c);
  for (size_t at = 0; at < n; at += 333) b.add(&rows[at * kDims], std::min<size_t>(333, n - at));
  b.train();
  b.assign();
  Built out;
  out.layout = c.layout;
  out.centroids = b.centroids_bytes();
  for (uint32_t p = 0; p < parts; ++p) {
    const auto& members = b.partition_rows(p);
    std::string blob;
    std::vector<uint32_t> offsets{0}, tag_list, tag_offsets{0};
    for (uint32_t r : members) {
      blob += "row" + std::to_string(r);
      offsets.push_back(uint32_t(blob.size()));
      if (r % 3 == 0) tag_list.push_back(r % 2);  // tag 0: rows % 6 == 0, tag 1: rows % 6 == 3
      tag_offsets.push_back(uint32_t(tag_list.size()));
    }
    out.segments.push_back(b.segment_bytes(p, reinterpret_cast<const uint8_t*>(blob.data()), offsets.data(),
                                           tag_list.data(), tags ? tag_offsets.data() : nullptr));
  }
  return out;
}

StaticSearcher open_all(const Built& b) {
  StaticSearcher s(b.centroids.data(), b.centroids.size(), b.layout, uint32_t(b.segments.size()));
  for (uint32_t p = 0; p < b.segments.size(); ++p) s.add_segment(p, b.segments[p].data(), b.segments[p].size());
  return s;
}

// Exact cosine top-k over float rows (float64), by row number.
std::vector<uint32_t> exact_top(const std::vector<float>& rows, size_t n, const float* q, size_t k) {
  std::vector<std::pair<double, uint32_t>> s(n);
  double qn = 0;
  for (size_t d = 0; d < kDims; ++d) qn += double(q[d]) * q[d];
  for (size_t i = 0; i < n; ++i) {
    double dot = 0, xn = 0;
    for (size_t d = 0; d < kDims; ++d) {
      dot += double(rows[i * kDims + d]) * q[d];
      xn += double(rows[i * kDims + d]) * rows[i * kDims + d];
    }
    s[i] = {-dot / std::sqrt(xn * qn), uint32_t(i)};
  }
  std::partial_sort(s.begin(), s.begin() + k, s.end());
  std::vector<uint32_t> out;
  for (size_t i = 0; i < k; ++i) out.push_back(s[i].second);
  return out;
}

std::vector<uint32_t> all_parts(size_t n) {
  std::vector<uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0u);
  return p;
}

TEST(KMeans, IsDeterministicAndFindsSeparatedClusters) {
  // 4 tight clusters far apart: every cluster must end up whole in one centroid.
  const size_t dims = 8, per = 50;
  std::vector<float> rows;
  for (size_t c = 0; c < 4; ++c)
    for (size_t i = 0; i < per; ++i)
      for (size_t d = 0; d < dims; ++d) rows.push_back(float(d == c ? 10.0 : 0.0) + 0.01f * float((i * 7 + d) % 5));
  KMeansParams p;
  p.k = 4;
  p.seed = 7;
  const auto a = kmeans(rows.data(), rows.size() / dims, dims, p);
  const auto b = kmeans(rows.data(), rows.size() / dims, dims, p);
  EXPECT_EQ(a, b);
  const auto half = centroid_half_norms(a.data(), 4, dims);
  std::set<uint32_t> used;
  for (size_t c = 0; c < 4; ++c) {
    const uint32_t first = nearest_centroid(&rows[c * per * dims], a.data(), half.data(), 4, dims);
    for (size_t i = 0; i < per; ++i)
      EXPECT_EQ(nearest_centroid(&rows[(c * per + i) * dims], a.data(), half.data(), 4, dims), first);
    used.insert(first);
  }
  EXPECT_EQ(used.size(), 4u);
  EXPECT_THROW(kmeans(rows.data(), 3, dims, p), Error);  // k > rows
}

TEST(StaticIndex, SameInputAndSeedGiveIdenticalFiles) {
  const auto data = embedding_like(3000, 1, kDims, 11);
  const Built a = build(data.rows, 3000, 24, 5, Storage::kInt8, false, true);
  const Built b = build(data.rows, 3000, 24, 5, Storage::kInt8, false, true);
  EXPECT_EQ(a.centroids, b.centroids);
  EXPECT_EQ(a.segments, b.segments);
  const Built c = build(data.rows, 3000, 24, 6, Storage::kInt8, false, true);
  EXPECT_NE(a.centroids, c.centroids);
}

TEST(StaticIndex, AllPartitionsWithFloatRowsIsExact) {
  const size_t n = 2000, nq = 20;
  const auto data = embedding_like(n, nq, kDims, 3);
  const Built b = build(data.rows, n, 16, 1, Storage::kInt8, true);
  const StaticSearcher s = open_all(b);
  const auto parts = all_parts(16);
  StaticSearchParams p;
  p.k = 10;
  p.oversample = n;  // the shortlist is every row: rescoring from float rows is exact
  for (size_t qi = 0; qi < nq; ++qi) {
    const float* q = &data.queries[qi * kDims];
    const auto hits = s.search(q, parts.data(), parts.size(), p);
    const auto want = exact_top(data.rows, n, q, 10);
    ASSERT_EQ(hits.size(), 10u);
    for (size_t i = 0; i < 10; ++i) EXPECT_EQ(hits[i].row, want[i]) << "query " << qi << " rank " << i;
  }
}

TEST(StaticIndex, AllPartitionsWithoutRescoringIsTheExactInt8Ranking) {
  const size_t n = 1500;
  const auto data = embedding_like(n, 5, kDims, 4);
  const Built b = build(data.rows, n, 12, 1, Storage::kInt8, false);
  const StaticSearcher s = open_all(b);
  const auto parts = all_parts(12);
  StaticSearchParams raw;
  raw.k = 20;
  raw.oversample = 0;
  StaticSearchParams whole = raw;
  whole.k = n;  // every row's raw score, to rank by hand
  for (size_t qi = 0; qi < 5; ++qi) {
    const float* q = &data.queries[qi * kDims];
    const auto top = s.search(q, parts.data(), parts.size(), raw);
    auto every = s.search(q, parts.data(), parts.size(), whole);
    ASSERT_EQ(every.size(), n);
    std::sort(every.begin(), every.end(), [](const StaticHit& a, const StaticHit& b) {
      return a.score > b.score || (a.score == b.score && a.row < b.row);
    });
    for (size_t i = 0; i < 20; ++i) {
      EXPECT_EQ(top[i].row, every[i].row);
      EXPECT_FLOAT_EQ(top[i].score, every[i].score);
    }
  }
}

TEST(StaticIndex, ProbingAFewPartitionsKeepsRecall) {
  const size_t n = 5000, nq = 50;
  const auto data = embedding_like(n, nq, kDims, 9);
  const Built b = build(data.rows, n, 70, 1, Storage::kInt8, false);
  const StaticSearcher s = open_all(b);
  StaticSearchParams p;
  p.k = 10;
  double recall = 0;
  for (size_t qi = 0; qi < nq; ++qi) {
    const float* q = &data.queries[qi * kDims];
    const auto probe = s.probe(q, 10);
    ASSERT_EQ(probe.size(), 10u);
    const auto hits = s.search(q, probe.data(), probe.size(), p);
    const auto want = exact_top(data.rows, n, q, 10);
    for (const auto& h : hits) recall += std::count(want.begin(), want.end(), h.row) / 10.0;
  }
  EXPECT_GE(recall / nq, 0.9);
}

TEST(StaticIndex, BinaryStorageAndTagFilters) {
  const size_t n = 1200;
  const auto data = embedding_like(n, 3, kDims, 2);
  const Built b = build(data.rows, n, 8, 1, Storage::kBinary, true, true);
  const StaticSearcher s = open_all(b);
  const auto parts = all_parts(8);
  StaticSearchParams p;
  p.k = 10;
  p.oversample = 20;
  const uint32_t tag1 = 1;
  p.tags = &tag1;
  p.tag_count = 1;
  const auto hits = s.search(&data.queries[0], parts.data(), parts.size(), p);
  ASSERT_EQ(hits.size(), 10u);
  for (const auto& h : hits) EXPECT_EQ(h.row % 6, 3u);
  p.tags = nullptr;
  p.tag_count = 0;
  const auto unfiltered = s.search(&data.queries[0], parts.data(), parts.size(), p);
  const auto want = exact_top(data.rows, n, &data.queries[0], 10);
  size_t found = 0;
  for (const auto& h : unfiltered) found += std::count(want.begin(), want.end(), h.row);
  EXPECT_GE(found, 8u);
}

TEST(StaticIndex, RefusesDamagedTruncatedAndSwappedFiles) {
  const auto data = embedding_like(800, 1, kDims, 1);
  const Built b = build(data.rows, 800, 4, 1, Storage::kInt8, false);
  StaticSearcher s(b.centroids.data(), b.centroids.size(), b.layout, 4);
  auto code_of = [&](const std::vector<uint8_t>& bytes, uint32_t p) {
    try {
      s.add_segment(p, bytes.data(), bytes.size());
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  std::vector<uint8_t> damaged = b.segments[1];
  damaged[damaged.size() / 2] ^= 0x40;
  EXPECT_EQ(code_of(damaged, 1), ErrorCode::kCorrupt);
  std::vector<uint8_t> truncated(b.segments[1].begin(), b.segments[1].end() - 9);
  EXPECT_EQ(code_of(truncated, 1), ErrorCode::kCorrupt);
  EXPECT_EQ(code_of(b.segments[2], 1), ErrorCode::kCorrupt);  // another partition's file
  EXPECT_EQ(code_of(b.centroids, 1), ErrorCode::kCorrupt);    // another kind of file
  EXPECT_FALSE(s.has_segment(1));
  StaticLayout other = b.layout;
  other.storage = Storage::kBinary;
  EXPECT_THROW(StaticSearcher(b.centroids.data(), b.centroids.size(), other, 4), Error);
  EXPECT_THROW(StaticSearcher(b.centroids.data(), b.centroids.size(), b.layout, 5), Error);
}

}  // namespace
}  // namespace wasmbed::index
