// Normalizer interface and the tokenizer.json factory (HF tokenizers normalizers/*).
// Concrete normalizers live in the sibling headers:
//   bert.h (BertNormalizer), precompiled.h (Precompiled, SentencePiece charsmap),
//   unicode_forms.h (NFC/NFD/NFKC/NFKD), basic.h (Lowercase, Strip, StripAccents, Replace,
//   Prepend, Sequence).
#pragma once
#include <memory>

#include <nlohmann/json_fwd.hpp>

#include "tokenizer/normalized_string.h"

namespace wasmbed::tok {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  // Normalizes `s.get()` in place, keeping alignments to the original bytes.
  virtual void normalize(NormalizedString& s) const = 0;
};

// Builds a normalizer from a tokenizer.json "normalizer" object (the caller skips JSON null).
// Throws wasmbed::Error(kUnsupported, "tokenizer.json: normalizer type 'X' is not supported")
// for unknown types and kParse for malformed fields.
// depth: how many Sequences enclose j (a CapacityError past kMaxSectionNesting).
std::unique_ptr<Normalizer> normalizer_from_json(const nlohmann::json& j, int depth = 0);

}  // namespace wasmbed::tok
