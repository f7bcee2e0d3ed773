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
  function("heapBytesInUse", &heap_bytes_in_use);
  function("heapPeakBytes", &heap_peak_bytes);
}
