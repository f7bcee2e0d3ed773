// SentencePiece's own BPE encoder (bpe_model.cc), for .model files with model_type BPE: the
// text (already normalized) starts as chars / user-defined symbols; the adjacent pair whose
// concatenation is the best-scoring piece is merged first (ties: leftmost), UNUSED pieces are
// re-split, unknown pieces become <0xXX> bytes (byte_fallback) or one fused unk.
#pragma once
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer/models/model.h"
#include "tokenizer/models/trie.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/models/vocab.h"

namespace wasmbed::tok {

class SentencePieceBpe : public Model {
 public:
  SentencePieceBpe(std::vector<UnigramPiece> pieces, int32_t unk_id, bool byte_fallback);

  std::vector<Token> tokenize(std::string_view piece) const override;
  int32_t token_to_id(std::string_view token) const override { return all_.find(token); }
  std::string id_to_token(int32_t id, bool& found) const override;
  size_t vocab_size() const override { return pieces_.size(); }
  const char* type() const override { return "BPE"; }

 private:
  // SentencePiece PieceToId: normal pieces, then reserved (control/unknown/byte), else unk.
  int32_t piece_to_id(std::string_view piece) const;
  void resegment(std::string_view text, size_t start, size_t len,
                 const std::unordered_map<std::string, size_t>& rev_merge, std::vector<Token>& out) const;

  std::vector<UnigramPiece> pieces_;
  Vocab normal_;    // NORMAL, USER_DEFINED, UNUSED
  Vocab reserved_;  // CONTROL, UNKNOWN, BYTE
  Vocab all_;
  ByteTrie user_defined_;
  int32_t unk_id_;
  bool byte_fallback_;
  int32_t byte_ids_[256];
};

}  // namespace wasmbed::tok
