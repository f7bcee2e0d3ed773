// SentencePiece's own normalizer (normalizer.cc Normalizer::Normalize), used for .model files
// loaded in the plain flavour so ids match spm_encode exactly: per longest prefix, user-defined
// symbols pass through, otherwise the precompiled charsmap rewrites it; leading whitespace is
// dropped, runs of whitespace collapse, trailing whitespace is dropped, ' ' becomes U+2581 and
// a dummy U+2581 prefix (or suffix) is added. Alignments to the original text are kept.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/models/trie.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/normalizers/precompiled.h"

namespace wasmbed::tok {

struct SentencePieceNormalizerOptions {
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
  bool treat_whitespace_as_suffix = false;
};

class SentencePieceNormalizer : public Normalizer {
 public:
  // `charsmap` may be null (identity, e.g. the "identity" normalization rule).
  SentencePieceNormalizer(std::unique_ptr<Precompiled> charsmap, const std::vector<std::string>& user_defined,
                          SentencePieceNormalizerOptions options);
  void normalize(NormalizedString& s) const override;

 private:
  // sentencepiece Normalizer::NormalizePrefix on valid UTF-8: {replacement, consumed bytes}.
  std::pair<std::string, size_t> normalize_prefix(std::string_view input) const;

  std::unique_ptr<Precompiled> charsmap_;
  ByteTrie user_defined_;
  SentencePieceNormalizerOptions options_;
};

}  // namespace wasmbed::tok
