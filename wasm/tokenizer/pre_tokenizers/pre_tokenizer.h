// PreTokenizer interface and the tokenizer.json factory (HF tokenizers pre_tokenizers/*).
// Concrete pre-tokenizers live in the sibling headers:
//   bert.h (BertPreTokenizer), metaspace.h (Metaspace), whitespace.h (Whitespace,
//   WhitespaceSplit), punctuation.h, digits.h, split.h (Split), byte_level.h (ByteLevel + the
//   GPT-2 byte<->unicode tables), char_delimiter.h (CharDelimiterSplit), sequence.h.
#pragma once
#include <memory>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/pre_tokenized_string.h"

namespace wasmbed::tok {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Splits the untokenized splits of `s` further (never touches splits that carry tokens).
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};

// Builds a pre-tokenizer from a tokenizer.json "pre_tokenizer" object (caller skips null).
// Throws wasmbed::Error(kUnsupported, "tokenizer.json: pre_tokenizer type 'X' is not supported")
// for unknown types and kParse for malformed fields.
// depth: how many Sequences enclose j (a CapacityError past kMaxSectionNesting).
std::unique_ptr<PreTokenizer> pre_tokenizer_from_json(const nlohmann::json& j, int depth = 0);

}  // namespace wasmbed::tok
