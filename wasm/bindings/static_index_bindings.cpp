// Embind surface of the static, partitioned index: StaticBuilderCore (writeStaticIndex, Node) and
// StaticSearcherCore (StaticIndex, browsers and Node). Hot paths take heap addresses as in
// index_bindings.cpp: a query is one probe() and one search() call, results are written into
// caller-provided heap buffers.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <vector>

#include "bindings/js_error.h"
#include "common/error.h"
#include "index/serialize.h"
#include "index/static_builder.h"
#include "index/static_searcher.h"

using namespace emscripten;
using wasmbed::bind::guard;
using wasmbed::bind::ptr;
namespace ix = wasmbed::index;

namespace {

ix::StaticLayout layout_of(uint32_t dims, int metric, int storage, bool keep_float) {
  if (metric < 0 || metric > 1) wasmbed::fail(wasmbed::ErrorCode::kInvalidArgument, "StaticIndex: unknown metric");
  if (storage != 1 && storage != 2) wasmbed::fail(wasmbed::ErrorCode::kInvalidArgument, "StaticIndex: storage must be int8 or binary");
  ix::StaticLayout l;
  l.dims = dims;
  l.metric = ix::Metric(metric);
  l.storage = ix::Storage(storage);
  l.keep_float = keep_float;
  return l;
}

val bytes_out(const std::vector<uint8_t>& bytes) {
  return val::global("Uint8Array").new_(typed_memory_view(bytes.size(), bytes.data()));
}

class StaticBuilderCore {
 public:
  StaticBuilderCore(uint32_t dims, int metric, int storage, bool keep_float, double count, double partitions, double seed)
      : b_(guard([&] {
          ix::StaticBuilderConfig c;
          c.layout = layout_of(dims, metric, storage, keep_float);
          c.count = size_t(count);
          c.partitions = size_t(partitions);
          c.seed = uint64_t(seed);
          return std::make_unique<ix::StaticBuilder>(c);
        })) {}
  void add(uintptr_t rows, size_t n) { guard([&] { b_->add(ptr<const float>(rows), n); }); }
  void train() { guard([&] { b_->train(); }); }
  void assign() { guard([&] { b_->assign(); }); }
  val partition_rows(uint32_t p) const {
    return guard([&] {
      const auto& rows = b_->partition_rows(p);
      return val::global("Uint32Array").new_(typed_memory_view(rows.size(), rows.data()));
    });
  }
  val centroids_bytes() const {
    return guard([&] { return bytes_out(b_->centroids_bytes()); });
  }
  // tag_offsets 0 = no tags.
  val segment_bytes(uint32_t p, uintptr_t id_blob, size_t /*blob_bytes*/, uintptr_t id_offsets, uintptr_t tags,
                    uintptr_t tag_offsets) const {
    return guard([&] {
      return bytes_out(b_->segment_bytes(p, ptr<const uint8_t>(id_blob), ptr<const uint32_t>(id_offsets),
                                         ptr<const uint32_t>(tags), tag_offsets ? ptr<const uint32_t>(tag_offsets) : nullptr));
    });
  }
  double memory_bytes() const { return double(b_->memory_bytes()); }

 private:
  std::unique_ptr<ix::StaticBuilder> b_;
};

class StaticSearcherCore {
 public:
  StaticSearcherCore(uintptr_t data, size_t size, uint32_t dims, int metric, int storage, bool keep_float,
                     uint32_t partitions, uint32_t crc)
      : s_(guard([&] {
          check_crc(ptr<const uint8_t>(data), size, crc, "centroids");
          return std::make_unique<ix::StaticSearcher>(ptr<const uint8_t>(data), size,
                                                      layout_of(dims, metric, storage, keep_float), partitions);
        })) {}
  size_t probe(uintptr_t query, size_t nprobe, uintptr_t out) const {
    return guard([&] {
      const auto parts = s_->probe(ptr<const float>(query), nprobe);
      std::copy(parts.begin(), parts.end(), ptr<uint32_t>(out));
      return parts.size();
    });
  }
  // Returns the byte offset of the segment's id table.
  double add_segment(uint32_t p, uintptr_t data, size_t size, uint32_t crc) {
    return guard([&] {
      check_crc(ptr<const uint8_t>(data), size, crc, "segment");
      return double(s_->add_segment(p, ptr<const uint8_t>(data), size));
    });
  }
  bool has_segment(uint32_t p) const { return s_->has_segment(p); }
  void drop_segment(uint32_t p) { s_->drop_segment(p); }
  double memory_bytes() const { return double(s_->memory_bytes()); }
  size_t search(uintptr_t query, uintptr_t parts, size_t nparts, size_t k, size_t oversample, uintptr_t tags,
                size_t ntags, bool all, uintptr_t out_rows, uintptr_t out_scores, uintptr_t out_parts,
                uintptr_t out_local) const {
    return guard([&] {
      ix::StaticSearchParams p;
      p.k = k;
      p.oversample = oversample;
      p.tags = tags ? ptr<const uint32_t>(tags) : nullptr;
      p.tag_count = ntags;
      p.all_tags = all;
      const auto hits = s_->search(ptr<const float>(query), ptr<const uint32_t>(parts), nparts, p);
      for (size_t i = 0; i < hits.size(); ++i) {
        ptr<uint32_t>(out_rows)[i] = hits[i].row;
        ptr<float>(out_scores)[i] = hits[i].score;
        ptr<uint32_t>(out_parts)[i] = hits[i].partition;
        ptr<uint32_t>(out_local)[i] = hits[i].local;
      }
      return hits.size();
    });
  }

 private:
  // The manifest lists each container file's CRC-32 trailer: another file (of the right kind, even
  // a valid one) under this name is refused before it is parsed.
  static void check_crc(const uint8_t* data, size_t size, uint32_t crc, const char* what) {
    if (ix::container_crc(data, size) != crc)
      wasmbed::fail(wasmbed::ErrorCode::kCorrupt, std::string(what) + ": is not the file the manifest lists (CRC-32 differs)");
  }
  std::unique_ptr<ix::StaticSearcher> s_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(wasmbed_static_index) {
  class_<StaticBuilderCore>("StaticBuilderCore")
      .constructor<uint32_t, int, int, bool, double, double, double>()
      .function("add", &StaticBuilderCore::add)
      .function("train", &StaticBuilderCore::train)
      .function("assign", &StaticBuilderCore::assign)
      .function("partitionRows", &StaticBuilderCore::partition_rows)
      .function("centroidsBytes", &StaticBuilderCore::centroids_bytes)
      .function("segmentBytes", &StaticBuilderCore::segment_bytes)
      .function("memoryBytes", &StaticBuilderCore::memory_bytes);
  class_<StaticSearcherCore>("StaticSearcherCore")
      .constructor<uintptr_t, size_t, uint32_t, int, int, bool, uint32_t, uint32_t>()
      .function("probe", &StaticSearcherCore::probe)
      .function("addSegment", &StaticSearcherCore::add_segment)
      .function("hasSegment", &StaticSearcherCore::has_segment)
      .function("dropSegment", &StaticSearcherCore::drop_segment)
      .function("memoryBytes", &StaticSearcherCore::memory_bytes)
      .function("search", &StaticSearcherCore::search);
}
