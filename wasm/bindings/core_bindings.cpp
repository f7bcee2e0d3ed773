// Embind surface for build info and the basic vector kernels.
#include <emscripten/bind.h>

#include "bindings/js_error.h"
#include "common/simd.h"
#include "pooling/normalize.h"

using namespace emscripten;
using wasmbed::bind::guard;
using wasmbed::bind::ptr;

namespace {

std::string version() { return WASMBED_VERSION; }

void l2_normalize_rows(uintptr_t data, size_t rows, size_t dim) {
  guard([&] {
    if (dim == 0) wasmbed::fail(wasmbed::ErrorCode::kInvalidArgument, "l2Normalize: dimension must be > 0");
    wasmbed::l2_normalize_rows(ptr<float>(data), rows, dim);
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(wasmbed_core) {
  function("version", &version);
  function("simdEnabled", +[] { return wasmbed::simd::enabled(); });
  function("l2NormalizeRows", &l2_normalize_rows);
}
