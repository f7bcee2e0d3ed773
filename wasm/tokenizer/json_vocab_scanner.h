// The fast path of tokenizer.json's model.vocab ([[piece, score], ...], 250k entries for XLM-R):
// reads plain entries straight from the text, without RapidJSON's generic SAX machinery, and
// hands anything else back to it.
//
// "Plain" is what serializers write for nearly every entry: '[', a string without escapes or raw
// control characters whose UTF-8 is valid (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), ',', a number in JSON's grammar, ']', JSON whitespace anywhere between. The
// number is converted by fast_float, correctly rounded as strtod does; an integer-form number is
// converted as the generic path converts it (RapidJSON gives it as an integer, so "-0" is +0.0).
// An entry that is not plain (an escape, a nested value, invalid JSON) is left unread: the scan
// stops where the generic parser can go on with it, so it meets exactly the text it would have
// met, and decides (including every error message).
//
// Why: through RapidJSON's reader (with its UTF-8 validation and the SAX handler) an entry cost
// ~2,300 instructions, here ~1,000 (callgrind, x86-64, 250k XLM-R entries); and its parse
// functions are so large that V8 spent more CPU compiling them with TurboFan during a first load
// than the load itself took, where this scanner's functions are small.
#pragma once
#include <cstddef>

#include "tokenizer/models/unigram.h"

namespace wasmbed::tok {

// Scans entries from `at` (inside the vocab array: right after its '[' when after_element is
// false, else right after a complete entry) up to `end`, appends each to `vocab` and counts it in
// `entries`. Returns where the generic parser must continue: at the array's closing ']', or at
// the first entry it did not read (after_element: at the text before the ',' that precedes it).
// `end` may cut the document anywhere (the end of a chunk, json_chunk_stream.h): an entry is read
// only when it is whole before `end`, and, when after_element is false, also what follows it.
// Throws kParse for a missing or trailing comma after an entry it read when after_element is
// false (the generic parser, then expecting a value, would not see it), with the byte offset in
// the document: `chunk` (the text that `at` and `end` point into) starts at chunk_offset.
const char* scan_vocab_entries(const char* chunk, size_t chunk_offset, const char* at, const char* end, bool after_element,
                               UnigramVocab& vocab, size_t& entries);

}  // namespace wasmbed::tok
