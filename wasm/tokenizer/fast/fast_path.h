// Fast paths: the common tokenizer.json pipelines run as one pass over the text into reused
// buffers, instead of the general NormalizedString / PreTokenizedString machinery, which copies
// every split (original bytes, normalized bytes, per-byte alignments) and builds every token's
// string on the way. They give exactly what the general pipeline gives; a fast path declines a
// text it cannot do that for (an added token in it, a char the normalizer would change, invalid
// UTF-8 where that matters) and the general pipeline takes it.
//
//   BertWordPiece:     BertNormalizer -> BertPreTokenizer -> WordPiece (BERT, klue/roberta, ...)
//   MetaspaceUnigram:  [Precompiled, Strip, Replace(" {2,}")] -> Metaspace -> Unigram
//                      (HF-converted SentencePiece unigram models: T5, ALBERT, XLNet, ...)
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "tokenizer/encoding.h"

namespace wasmbed::tok {

class AddedVocabulary;
class Model;
class Normalizer;
class PreTokenizer;

class FastPath {
 public:
  virtual ~FastPath() = default;
  // One sequence (what Tokenizer::encode_sequence returns for it), or false to decline `text`;
  // `out` is unspecified then. `reserve_extra`: room to leave for the specials added later.
  virtual bool encode(std::string_view text, int32_t type_id, size_t reserve_extra, Encoding& out) const = 0;
};

// The fast path for this combination of pipeline parts, or nullptr when none applies. The parts
// must outlive the result (the Tokenizer rebuilds it whenever a part changes).
std::unique_ptr<FastPath> make_fast_path(const Normalizer* normalizer, const PreTokenizer* pre_tokenizer,
                                         const Model* model, const AddedVocabulary* added);

}  // namespace wasmbed::tok
