// Embind surface for the vector index (VectorIndexCore), the inverted index (LexicalIndexCore) and
// the memory-bandwidth reference used by bench/index.bench.js (memcpyBench).
//
// Hot paths take heap addresses: JS copies a query into a scratch allocation it owns, C++ writes
// result ids/scores into caller-provided heap buffers, so a search is one boundary crossing with no
// per-element JS work. Every entry point runs inside guard() (typed JS errors).
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>
#include <emscripten/val.h>

#include <cstring>
#include <memory>
#include <vector>

#include "bindings/js_error.h"
#include "common/error.h"
#include "index/inverted_index.h"
#include "index/kernels.h"
#include "index/vector_index.h"

using namespace emscripten;
using wasmbed::bind::guard;
using wasmbed::bind::ptr;
namespace ix = wasmbed::index;

namespace {

val to_uint8array(const std::vector<uint8_t>& bytes) {
  // Constructing a Uint8Array from a memory view copies it out of the heap.
  return val::global("Uint8Array").new_(typed_memory_view(bytes.size(), bytes.data()));
}

size_t write_hits(const std::vector<ix::Hit>& hits, uintptr_t out_ids, uintptr_t out_scores) {
  uint32_t* ids = ptr<uint32_t>(out_ids);
  float* scores = ptr<float>(out_scores);
  for (size_t i = 0; i < hits.size(); ++i) {
    ids[i] = hits[i].id;
    scores[i] = hits[i].score;
  }
  return hits.size();
}

class VectorIndexCore {
 public:
  VectorIndexCore(uint32_t dims, int metric, int storage, bool keep_float, double max_bytes)
      : idx_(guard([&] { return ix::VectorIndex(config(dims, metric, storage, keep_float, max_bytes)); })) {}
  explicit VectorIndexCore(ix::VectorIndex&& idx) : idx_(std::move(idx)) {}

  static VectorIndexCore* load(uintptr_t data, size_t size) {
    return guard([&] { return new VectorIndexCore(ix::VectorIndex::load(ptr<const uint8_t>(data), size)); });
  }

  void add(uint32_t id, uintptr_t vec, uintptr_t tags, size_t ntags) {
    guard([&] { idx_.add(id, ptr<const float>(vec), ptr<const uint32_t>(tags), ntags); });
  }
  // tags / tag_offsets may be 0 (no tags); otherwise row i gets tags[offsets[i] .. offsets[i + 1]).
  void add_batch(uintptr_t ids, uintptr_t rows, size_t n, uintptr_t tags, uintptr_t tag_offsets) {
    guard([&] {
      idx_.add_batch(ptr<const uint32_t>(ids), ptr<const float>(rows), n, ptr<const uint32_t>(tags),
                     tag_offsets ? ptr<const uint32_t>(tag_offsets) : nullptr);
    });
  }
  // has_tags = false keeps the row's tags.
  void update(uint32_t id, uintptr_t vec, bool has_tags, uintptr_t tags, size_t ntags) {
    guard([&] { idx_.update(id, ptr<const float>(vec), has_tags, ptr<const uint32_t>(tags), ntags); });
  }
  void set_tags(uint32_t id, uintptr_t tags, size_t ntags) {
    guard([&] { idx_.set_tags(id, ptr<const uint32_t>(tags), ntags); });
  }
  bool remove(uint32_t id) { return guard([&] { return idx_.remove(id); }); }
  bool has(uint32_t id) const { return idx_.contains(id); }
  void get(uint32_t id, uintptr_t out) const { guard([&] { idx_.get(id, ptr<float>(out)); }); }
  size_t size() const { return idx_.size(); }
  uint32_t dims() const { return idx_.config().dims; }
  int metric() const { return int(idx_.config().metric); }
  int storage() const { return int(idx_.config().storage); }
  bool keep_float() const { return idx_.config().keep_float; }
  double max_bytes() const { return double(idx_.config().max_bytes); }
  double memory_bytes() const { return double(idx_.memory_bytes()); }
  uintptr_t ids_ptr() const { return reinterpret_cast<uintptr_t>(idx_.ids()); }

  uint32_t intern_tag(const std::string& name) { return guard([&] { return idx_.intern_tag(name); }); }
  int find_tag(const std::string& name) const { return int(idx_.find_tag(name)); }
  val tags_of(uint32_t id) const {
    return guard([&] {
      val out = val::array();
      for (uint32_t t : idx_.tags_of(id)) out.call<void>("push", idx_.tag_name(t));
      return out;
    });
  }
  void tag_filter(uintptr_t tags, size_t ntags, bool all, uintptr_t out) const {
    guard([&] { idx_.tag_filter(ptr<const uint32_t>(tags), ntags, all, ptr<uint64_t>(out)); });
  }

  size_t search(uintptr_t query, size_t k, size_t oversample, uintptr_t allow, uintptr_t out_ids,
                uintptr_t out_scores) const {
    return guard([&] {
      ix::SearchParams p;
      p.k = k;
      p.oversample = oversample;
      p.allow = allow ? ptr<const uint64_t>(allow) : nullptr;
      return write_hits(idx_.search(ptr<const float>(query), p), out_ids, out_scores);
    });
  }

  val save() const {
    return guard([&] { return to_uint8array(idx_.save()); });
  }

 private:
  static ix::VectorIndexConfig config(uint32_t dims, int metric, int storage, bool keep_float, double max_bytes) {
    if (metric < 0 || metric > 1) wasmbed::fail(wasmbed::ErrorCode::kInvalidArgument, "VectorIndex: unknown metric");
    if (storage < 0 || storage > 2) wasmbed::fail(wasmbed::ErrorCode::kInvalidArgument, "VectorIndex: unknown storage");
    if (!(max_bytes >= 0)) wasmbed::fail(wasmbed::ErrorCode::kInvalidArgument, "VectorIndex: maxBytes must be >= 0");
    ix::VectorIndexConfig c;
    c.dims = dims;
    c.metric = ix::Metric(metric);
    c.storage = ix::Storage(storage);
    c.keep_float = keep_float;
    c.max_bytes = uint64_t(max_bytes);
    return c;
  }
  ix::VectorIndex idx_;
};

class LexicalIndexCore {
 public:
  LexicalIndexCore(int scoring, float k1, float b)
      : idx_(guard([&] {
          if (scoring < 0 || scoring > 1) wasmbed::fail(wasmbed::ErrorCode::kInvalidArgument, "LexicalIndex: unknown scoring");
          return ix::InvertedIndex(ix::LexicalScoring(scoring), ix::Bm25Params{k1, b});
        })) {}
  explicit LexicalIndexCore(ix::InvertedIndex&& idx) : idx_(std::move(idx)) {}

  static LexicalIndexCore* load(uintptr_t data, size_t size) {
    return guard([&] { return new LexicalIndexCore(ix::InvertedIndex::load(ptr<const uint8_t>(data), size)); });
  }
  void add_tokens(uint32_t id, uintptr_t tokens, size_t n) {
    guard([&] { idx_.add_tokens(id, ptr<const int32_t>(tokens), n); });
  }
  void add_weighted(uint32_t id, uintptr_t terms, uintptr_t weights, size_t n) {
    guard([&] { idx_.add_weighted(id, ptr<const int32_t>(terms), ptr<const float>(weights), n); });
  }
  bool remove(uint32_t id) { return guard([&] { return idx_.remove(id); }); }
  bool has(uint32_t id) const { return idx_.contains(id); }
  size_t size() const { return idx_.size(); }
  int scoring() const { return int(idx_.scoring()); }
  float k1() const { return idx_.params().k1; }
  float b() const { return idx_.params().b; }
  size_t document_frequency(int32_t term) const { return idx_.document_frequency(term); }
  uintptr_t ids_ptr() const { return reinterpret_cast<uintptr_t>(idx_.ids()); }
  size_t search(uintptr_t tokens, size_t n, size_t k, uintptr_t allow, uintptr_t out_ids, uintptr_t out_scores) const {
    return guard([&] {
      return write_hits(idx_.search_tokens(ptr<const int32_t>(tokens), n, k, allow ? ptr<const uint64_t>(allow) : nullptr),
                        out_ids, out_scores);
    });
  }
  size_t search_weighted(uintptr_t terms, uintptr_t weights, size_t n, size_t k, uintptr_t allow, uintptr_t out_ids,
                         uintptr_t out_scores) const {
    return guard([&] {
      return write_hits(idx_.search_weighted(ptr<const int32_t>(terms), ptr<const float>(weights), n, k,
                                             allow ? ptr<const uint64_t>(allow) : nullptr),
                        out_ids, out_scores);
    });
  }
  val save() const {
    return guard([&] { return to_uint8array(idx_.save()); });
  }

 private:
  ix::InvertedIndex idx_;
};

// Copies `bytes` between two heap buffers `iterations` times with the SIMD copy kernel and returns
// the elapsed milliseconds (allocation excluded): the memory-bandwidth reference for the benchmark.
double memcpy_bench(size_t bytes, size_t iterations) {
  return guard([&] {
    std::unique_ptr<uint8_t[]> a(new uint8_t[bytes]), b(new uint8_t[bytes]);
    std::memset(a.get(), 1, bytes);
    std::memset(b.get(), 0, bytes);
    const double t0 = emscripten_get_now();
    for (size_t i = 0; i < iterations; ++i) ix::copy_bytes(i % 2 ? a.get() : b.get(), i % 2 ? b.get() : a.get(), bytes);
    const double t1 = emscripten_get_now();
    volatile uint8_t sink = a[bytes / 2];
    (void)sink;
    return t1 - t0;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(wasmbed_index) {
  class_<VectorIndexCore>("VectorIndexCore")
      .constructor<uint32_t, int, int, bool, double>()
      .class_function("load", &VectorIndexCore::load, allow_raw_pointers())
      .function("add", &VectorIndexCore::add)
      .function("addBatch", &VectorIndexCore::add_batch)
      .function("update", &VectorIndexCore::update)
      .function("setTags", &VectorIndexCore::set_tags)
      .function("remove", &VectorIndexCore::remove)
      .function("has", &VectorIndexCore::has)
      .function("get", &VectorIndexCore::get)
      .function("size", &VectorIndexCore::size)
      .function("dims", &VectorIndexCore::dims)
      .function("metric", &VectorIndexCore::metric)
      .function("storage", &VectorIndexCore::storage)
      .function("keepFloat", &VectorIndexCore::keep_float)
      .function("maxBytes", &VectorIndexCore::max_bytes)
      .function("memoryBytes", &VectorIndexCore::memory_bytes)
      .function("idsPtr", &VectorIndexCore::ids_ptr)
      .function("internTag", &VectorIndexCore::intern_tag)
      .function("findTag", &VectorIndexCore::find_tag)
      .function("tagsOf", &VectorIndexCore::tags_of)
      .function("tagFilter", &VectorIndexCore::tag_filter)
      .function("search", &VectorIndexCore::search)
      .function("save", &VectorIndexCore::save);
  class_<LexicalIndexCore>("LexicalIndexCore")
      .constructor<int, float, float>()
      .class_function("load", &LexicalIndexCore::load, allow_raw_pointers())
      .function("addTokens", &LexicalIndexCore::add_tokens)
      .function("addWeighted", &LexicalIndexCore::add_weighted)
      .function("remove", &LexicalIndexCore::remove)
      .function("has", &LexicalIndexCore::has)
      .function("size", &LexicalIndexCore::size)
      .function("scoring", &LexicalIndexCore::scoring)
      .function("k1", &LexicalIndexCore::k1)
      .function("b", &LexicalIndexCore::b)
      .function("documentFrequency", &LexicalIndexCore::document_frequency)
      .function("idsPtr", &LexicalIndexCore::ids_ptr)
      .function("search", &LexicalIndexCore::search)
      .function("searchWeighted", &LexicalIndexCore::search_weighted)
      .function("save", &LexicalIndexCore::save);
  function("memcpyBench", &memcpy_bench);
}
