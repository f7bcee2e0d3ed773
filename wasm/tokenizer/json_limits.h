// Fixed limits on what a tokenizer file may ask of the loader, checked BEFORE the work they bound,
// so a hostile file gets a typed CapacityError instead of exhausting the 1 MB wasm stack (a trap
// that leaves the whole module unusable) or the heap. Real tokenizer.json files nest Sequences at
// most 2-3 deep and their whole document at most ~8 levels; the limits leave wide margins.
#pragma once
#include <cstddef>
#include <string>

#include "common/error.h"

namespace wasmbed::tok {

// Sequence-in-Sequence depth of one section (normalizer, pre_tokenizer, post_processor, decoder).
// The factories recurse once per level (and so do the built objects' destructors).
constexpr int kMaxSectionNesting = 64;
// Array / object nesting of the whole tokenizer.json, enforced while parsing: above the deepest
// legal section (each Sequence is an object plus an array, 2 levels) so that the section limit,
// whose message names the section, is the one a too-deep Sequence meets first below 256.
constexpr int kMaxJsonDepth = 256;

// Throws CapacityError "tokenizer.json: <section> nesting deeper than 64 levels" when depth is over.
inline void check_section_depth(const char* section, int depth) {
  if (depth > kMaxSectionNesting)
    fail(ErrorCode::kCapacity, std::string("tokenizer.json: ") + section + " nesting deeper than " +
                                   std::to_string(kMaxSectionNesting) + " levels");
}

}  // namespace wasmbed::tok
