#include "index/static_format.h"

#include <cmath>
#include <cstring>
#include <string>

#include "common/error.h"
#include "index/kernels.h"
#include "index/serialize.h"

namespace wasmbed::index {

namespace {
// An empty partition has empty vectors whose data() may be null: memcpy's pointers must not be
// null even for 0 bytes (UBSan's nonnull-attribute check), so a 0-byte copy is skipped.
void copy_bytes(void* dst, const uint8_t* src, size_t n) {
  if (n != 0) std::memcpy(dst, src, n);
}

[[noreturn]] void corrupt(const std::string& what, const std::string& msg) {
  fail(ErrorCode::kCorrupt, what + ": " + msg);
}

uint32_t peek_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// The container, with a file of another kind reported as corrupt (for a static index a swapped
// file is damage, not a usage error).
Container open_static(const uint8_t* data, size_t size, uint32_t kind, const char* what) {
  if (size >= kHeaderBytes && std::memcmp(data, "WBIX", 4) == 0 && peek_u32(data + 8) != kind)
    corrupt(what, "is a file of another kind (" + std::to_string(peek_u32(data + 8)) + ", expected " + std::to_string(kind) + ")");
  try {
    return open_container(data, size, kind);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kCorrupt) corrupt(what, e.what());
    throw;
  }
}

void check_layout(ByteReader& r, const StaticLayout& want, const char* what) {
  const uint8_t metric = r.u8("metric"), storage = r.u8("storage"), keep = r.u8("keep_float");
  if (metric != uint8_t(want.metric) || storage != uint8_t(want.storage) || keep != uint8_t(want.keep_float))
    corrupt(what, "metric/storage/keep_float differ from the manifest's");
}

}  // namespace

size_t StaticLayout::code_bytes() const {
  return storage == Storage::kBinary ? binary_words(dims) * 8 : dims;
}

uint32_t container_crc(const uint8_t* data, size_t size) { return size >= 4 ? peek_u32(data + size - 4) : 0; }

std::vector<uint8_t> write_centroids(const StaticCentroids& c) {
  const uint32_t dims = c.layout.dims;
  const size_t parts = c.partition_rows.size();
  ByteWriter w;
  w.reserve(64 + parts * 4 + dims * 8 + parts * dims * 4);
  w.begin(kKindStaticCentroids, dims, uint32_t(parts));
  w.u8(uint8_t(c.layout.metric));
  w.u8(uint8_t(c.layout.storage));
  w.u8(c.layout.keep_float ? 1 : 0);
  w.u8(0);
  w.u64(c.total_rows);
  for (uint32_t n : c.partition_rows) w.u32(n);
  for (float v : c.transform.center()) w.f32(v);
  for (uint32_t v : c.transform.signed_perm()) w.u32(v);
  w.bytes(c.centroids.data(), c.centroids.size() * sizeof(float));
  return w.finish();
}

StaticCentroids read_centroids(const uint8_t* data, size_t size, const StaticLayout& want, uint32_t partitions) {
  const char* what = "centroids";
  Container box = open_static(data, size, kKindStaticCentroids, what);
  if (box.dims != want.dims) corrupt(what, "has " + std::to_string(box.dims) + " dims, the manifest " + std::to_string(want.dims));
  if (box.count != partitions)
    corrupt(what, "has " + std::to_string(box.count) + " partitions, the manifest " + std::to_string(partitions));
  ByteReader& r = box.payload;
  StaticCentroids c;
  c.layout = want;
  check_layout(r, want, what);
  if (r.u8("reserved") != 0) corrupt(what, "reserved byte is not zero");
  c.total_rows = r.u64("total rows");
  uint64_t sum = 0;
  c.partition_rows.resize(partitions);
  for (auto& n : c.partition_rows) sum += (n = r.u32("partition rows"));
  if (sum != c.total_rows) corrupt(what, "partition row counts do not add up to the total");
  std::vector<float> center(want.dims);
  std::vector<uint32_t> perm(want.dims);
  for (auto& v : center) v = r.finite_f32("transform center");
  for (auto& v : perm) v = r.u32("transform permutation");
  if (!Int8Transform::restore(std::move(center), std::move(perm), c.transform))
    corrupt(what, "transform is not a signed permutation");
  c.centroids.resize(size_t(partitions) * want.dims);
  for (auto& v : c.centroids) v = r.finite_f32("centroid");
  r.expect_end("centroids");
  return c;
}

std::vector<uint8_t> write_segment(const StaticLayout& layout, const StaticSegment& s, const uint8_t* id_blob,
                                   const uint32_t* id_offsets) {
  const size_t n = s.size(), cb = layout.code_bytes();
  ByteWriter w;
  w.reserve(64 + n * (8 + cb) + s.tags.size() * 4 + s.floats.size() * 4 + (n + 1) * 4 + id_offsets[n]);
  w.begin(kKindStaticSegment, layout.dims, uint32_t(n));
  w.u32(s.partition);
  w.u8(uint8_t(layout.metric));
  w.u8(uint8_t(layout.storage));
  w.u8(layout.keep_float ? 1 : 0);
  const bool has_tags = !s.tag_offsets.empty();
  w.u8(has_tags ? 1 : 0);
  w.bytes(s.rows.data(), n * 4);
  w.bytes(s.scales.data(), n * 4);
  if (layout.has_inv_norms()) w.bytes(s.inv_norms.data(), n * 4);
  w.bytes(s.codes.data(), n * cb);
  if (has_tags) {
    w.bytes(s.tag_offsets.data(), (n + 1) * 4);
    w.bytes(s.tags.data(), s.tags.size() * 4);
  }
  if (layout.keep_float) w.bytes(s.floats.data(), s.floats.size() * 4);
  w.bytes(id_offsets, (n + 1) * 4);
  w.bytes(id_blob, id_offsets[n]);
  return w.finish();
}

StaticSegment read_segment(const uint8_t* data, size_t size, const StaticLayout& layout, uint32_t partition,
                           size_t& ids_at) {
  const char* what = "segment";
  Container box = open_static(data, size, kKindStaticSegment, what);
  if (box.dims != layout.dims) corrupt(what, "has " + std::to_string(box.dims) + " dims, the manifest " + std::to_string(layout.dims));
  ByteReader& r = box.payload;
  StaticSegment s;
  s.partition = r.u32("partition");
  if (s.partition != partition)
    corrupt(what, "holds partition " + std::to_string(s.partition) + ", expected " + std::to_string(partition));
  check_layout(r, layout, what);
  const uint8_t has_tags = r.u8("has_tags");
  if (has_tags > 1) corrupt(what, "has_tags is not 0 or 1");
  const size_t n = box.count, cb = layout.code_bytes();
  if (uint64_t(n) * (8 + cb) > r.remaining()) corrupt(what, "is shorter than its row count needs");
  s.rows.resize(n);
  copy_bytes(s.rows.data(), r.bytes(n * 4, "row numbers"), n * 4);
  for (size_t i = 1; i < n; ++i)
    if (s.rows[i] <= s.rows[i - 1]) corrupt(what, "row numbers are not ascending");
  s.scales.resize(n);
  copy_bytes(s.scales.data(), r.bytes(n * 4, "scales"), n * 4);
  for (float v : s.scales)
    if (!std::isfinite(v) || v < 0.0f) corrupt(what, "has a scale that is not a finite number >= 0");
  if (layout.has_inv_norms()) {
    s.inv_norms.resize(n);
    copy_bytes(s.inv_norms.data(), r.bytes(n * 4, "inverse norms"), n * 4);
    for (float v : s.inv_norms)
      if (!std::isfinite(v) || v <= 0.0f) corrupt(what, "has an inverse norm that is not a finite number > 0");
  }
  s.codes.resize(n * cb);
  copy_bytes(s.codes.data(), r.bytes(n * cb, "codes"), n * cb);
  if (has_tags) {
    s.tag_offsets.resize(n + 1);
    copy_bytes(s.tag_offsets.data(), r.bytes((n + 1) * 4, "tag offsets"), (n + 1) * 4);
    if (s.tag_offsets[0] != 0) corrupt(what, "tag offsets do not start at 0");
    for (size_t i = 1; i <= n; ++i)
      if (s.tag_offsets[i] < s.tag_offsets[i - 1]) corrupt(what, "tag offsets decrease");
    const size_t total = s.tag_offsets[n];
    if (uint64_t(total) * 4 > r.remaining()) corrupt(what, "tag list is truncated");
    s.tags.resize(total);
    copy_bytes(s.tags.data(), r.bytes(total * 4, "tags"), total * 4);
  }
  if (layout.keep_float) {
    const uint64_t fb = uint64_t(n) * layout.dims * 4;
    if (fb > r.remaining()) corrupt(what, "float rows are truncated");
    s.floats.resize(size_t(n) * layout.dims);
    copy_bytes(s.floats.data(), r.bytes(size_t(fb), "float rows"), size_t(fb));
    for (float v : s.floats)
      if (!std::isfinite(v)) corrupt(what, "has a float row value that is not finite");
  }
  // The id table: offsets in bounds and ascending, the blob exactly fills the rest.
  ids_at = size - kTrailerBytes - r.remaining();
  const uint8_t* off = r.bytes((n + 1) * 4, "id offsets");
  uint32_t prev = 0;
  for (size_t i = 0; i <= n; ++i) {
    const uint32_t o = peek_u32(off + 4 * i);
    if ((i == 0 && o != 0) || o < prev) corrupt(what, "id offsets are not ascending from 0");
    prev = o;
  }
  r.bytes(prev, "id bytes");
  r.expect_end("segment");
  return s;
}

}  // namespace wasmbed::index
