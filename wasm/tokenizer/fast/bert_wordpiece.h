// Fast path for BertNormalizer -> BertPreTokenizer -> WordPiece (see fast_path.h).
#pragma once
#include "tokenizer/fast/fast_path.h"

namespace wasmbed::tok {

class BertNormalizer;
class WordPiece;

class BertWordPieceFast : public FastPath {
 public:
  BertWordPieceFast(const BertNormalizer* normalizer, const WordPiece& model, const AddedVocabulary& added);
  bool encode(std::string_view text, int32_t type_id, size_t reserve_extra, Encoding& out) const override;

 private:
  bool clean_text_, chinese_, strip_accents_, lowercase_;
  const WordPiece& model_;
  const AddedVocabulary& added_;
};

}  // namespace wasmbed::tok
