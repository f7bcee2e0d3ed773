// Binary files of the static, partitioned index (docs/static-index.md): the centroids file and
// one segment file per partition. Both use the saved-index container of serialize.h (magic,
// version, kind, dims, count, length, CRC-32), so truncation, damage and a file of the wrong kind
// are CorruptDataErrors before any field is read.
//
// Centroids (kind 3, count = partitions), payload:
//   u8 metric, u8 storage, u8 keep_float, u8 reserved(0), u64 total rows
//   partitions x u32 rows per partition
//   dims x f32 int8-transform center, dims x u32 signed permutation (int8_transform.h)
//   partitions x dims x f32 centroids, in the transformed space y = R (x - center)
// Segment (kind 4, count = rows of the partition), payload:
//   u32 partition, u8 metric, u8 storage, u8 keep_float, u8 has_tags
//   count x u32 row numbers (input order of the whole index, ascending)
//   count x f32 scales (int8: y ~= code * scale; binary: y ~= sign * scale)
//   count x code bytes (int8: dims bytes of round(y * 127 / max|y|); binary: ceil(dims / 64) u64
//     words of sign bits of y)
//   has_tags: (count + 1) x u32 offsets, then that many u32 tag numbers (the manifest's tag table)
//   keep_float: count x dims f32 (the row, normalized for cosine)
//   ids: (count + 1) x u32 byte offsets, then the UTF-8 bytes (read by the JS side; its position
//     is returned by read_segment so no JS parser walks the fields before it)
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "index/int8_transform.h"
#include "index/vector_index.h"

namespace wasmbed::index {

constexpr uint32_t kKindStaticCentroids = 3;
constexpr uint32_t kKindStaticSegment = 4;

struct StaticLayout {
  uint32_t dims = 0;
  Metric metric = Metric::kCosine;
  Storage storage = Storage::kInt8;
  bool keep_float = false;
  // Bytes of one row's codes.
  size_t code_bytes() const;
};

struct StaticCentroids {
  StaticLayout layout;
  uint64_t total_rows = 0;
  std::vector<uint32_t> partition_rows;
  Int8Transform transform;
  std::vector<float> centroids;  // partitions x dims
};

struct StaticSegment {
  uint32_t partition = 0;
  std::vector<uint32_t> rows;
  std::vector<float> scales;
  std::vector<uint8_t> codes;  // rows x code_bytes
  std::vector<uint32_t> tag_offsets;  // empty, or rows + 1 entries
  std::vector<uint32_t> tags;
  std::vector<float> floats;  // keep_float: rows x dims
  // Not stored: int8 cosine, 1 / the dequantized row's norm (the searcher fills it on load, so a
  // scan scores each row against its direction as VectorIndex's int8 scores do); else empty.
  std::vector<float> inv_norms;
  size_t size() const { return rows.size(); }
};

std::vector<uint8_t> write_centroids(const StaticCentroids& c);
// Checks the envelope, every count and value; `layout` must match the manifest's.
StaticCentroids read_centroids(const uint8_t* data, size_t size, const StaticLayout& expected, uint32_t partitions);

// ids: the id blob and its (rows + 1) offsets (as the reader will find them).
std::vector<uint8_t> write_segment(const StaticLayout& layout, const StaticSegment& s, const uint8_t* id_blob,
                                   const uint32_t* id_offsets);
// Reads a segment of `partition`; returns the byte offset of its id table in `data` through
// ids_at. Everything before the ids is checked here (and the id offsets' bounds).
StaticSegment read_segment(const uint8_t* data, size_t size, const StaticLayout& layout, uint32_t partition,
                           size_t& ids_at);

// The CRC-32 trailer a container file ends with (what the manifest lists for .wbix files).
uint32_t container_crc(const uint8_t* data, size_t size);

}  // namespace wasmbed::index
