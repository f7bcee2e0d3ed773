// Embind surface for pooling and output post-processing. Buffers cross as heap addresses: JS
// copies the ONNX output into the wasm heap, calls one of these, and reads the result back.
#include <emscripten/bind.h>

#include <malloc.h>

#include <string>

#include "bindings/js_error.h"
#include "pooling/pooling.h"

using namespace emscripten;
using wasmbed::bind::guard;
using wasmbed::bind::ptr;

namespace {

void pool_rows(uintptr_t hidden, uintptr_t mask, size_t batch, size_t seq, size_t dim, std::string mode,
               size_t out_dim, bool normalize, uintptr_t out) {
  guard([&] {
    wasmbed::pooling::pool(ptr<const float>(hidden), ptr<const int32_t>(mask), batch, seq, dim,
                           wasmbed::pooling::parse_mode(mode.c_str()), out_dim, normalize, ptr<float>(out));
  });
}

void truncate_rows(uintptr_t in, size_t rows, size_t dim, size_t out_dim, bool normalize, uintptr_t out) {
  guard([&] { wasmbed::pooling::truncate_rows(ptr<const float>(in), rows, dim, out_dim, normalize, ptr<float>(out)); });
}

void int8_ranges(uintptr_t in, size_t rows, size_t dim, uintptr_t ranges) {
  guard([&] { wasmbed::pooling::int8_ranges(ptr<const float>(in), rows, dim, ptr<float>(ranges)); });
}

void quantize_int8(uintptr_t in, size_t rows, size_t dim, uintptr_t ranges, uintptr_t out) {
  guard([&] { wasmbed::pooling::quantize_int8(ptr<const float>(in), rows, dim, ptr<const float>(ranges), ptr<int8_t>(out)); });
}

void quantize_binary(uintptr_t in, size_t rows, size_t dim, bool signed_offset, uintptr_t out) {
  guard([&] { wasmbed::pooling::quantize_binary(ptr<const float>(in), rows, dim, signed_offset, ptr<uint8_t>(out)); });
}

// Bytes currently allocated by malloc in the wasm heap: lets tests check that repeated calls
// (tokenize, pool, free) leave no allocations behind.
double heap_bytes_in_use() { return static_cast<double>(mallinfo().uordblks); }

// The allocator's high-water mark (dlmalloc's max_footprint: the most heap it ever held, free
// chunks included), so peak-minus-in-use-before bounds what one call needed at its peak
// (bench/tokenizer-load.bench.js).
double heap_peak_bytes() { return static_cast<double>(mallinfo().usmblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(wasmbed_pooling) {
  function("poolRows", &pool_rows);
  function("truncateRows", &truncate_rows);
  function("int8Ranges", &int8_ranges);
  function("quantizeInt8", &quantize_int8);
  function("quantizeBinary", &quantize_binary);
  function("heapBytesInUse", &heap_bytes_in_use);
  function("heapPeakBytes", &heap_peak_bytes);
}
