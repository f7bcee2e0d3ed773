// Where a tokenizer.json that arrives in chunks comes from (json_chunk_stream.h reads it), in a
// header of its own so the public Tokenizer API does not pull in RapidJSON.
#pragma once
#include <cstddef>
#include <functional>

namespace wasmbed::tok {

// Fills `buffer` with up to `capacity` next bytes of the document; returns how many (0 at its end).
using JsonChunkSource = std::function<size_t(char* buffer, size_t capacity)>;

}  // namespace wasmbed::tok
