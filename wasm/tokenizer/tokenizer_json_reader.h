// Reads a tokenizer.json into an nlohmann DOM in one SAX pass (RapidJSON's reader) that also
//  - caps the array / object nesting at kMaxJsonDepth (a CapacityError) before any deeper tree
//    exists, so nothing downstream can recurse past it;
//  - takes a Unigram "model.vocab" array ([[piece, score], ...]) straight into a UnigramVocab
//    instead of building it as a DOM: for a 250k-piece XLM-R vocabulary that DOM was a million
//    small allocations, the largest single cost of the load, and its peak memory. Its plain
//    entries are read by json_vocab_scanner.h, the rest by RapidJSON.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/json_chunk_source.h"
#include "tokenizer/models/unigram.h"

namespace wasmbed::tok {

struct TokenizerJson {
  nlohmann::json json;  // the document; without "model.vocab" when that was taken out below
  std::optional<UnigramVocab> unigram_vocab;  // model.vocab when it was an array
};

// Throws wasmbed::Error: kParse "tokenizer.json: invalid JSON at byte N" or
// "tokenizer.json: model.vocab[i] must be [string, number]"; kCapacity for too deep nesting.
TokenizerJson read_tokenizer_json(std::string_view text);
// The same document read in chunks of at most chunk_size bytes from `source` (text_size: its
// whole size, to size the vocabulary's arrays up front), through one chunk_size buffer: the
// whole text is never in memory at once. Same results and errors, at the same byte offsets.
TokenizerJson read_tokenizer_json(size_t text_size, size_t chunk_size, const JsonChunkSource& source);

}  // namespace wasmbed::tok
