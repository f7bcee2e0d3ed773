// Unigram language-model tokenizer (HF models/unigram, SentencePiece unigram_model.cc): the best
// segmentation by Viterbi over the lattice of vocabulary pieces, found in one left-to-right pass
// (SentencePiece's EncodeOptimized), O(text bytes * longest piece) through a byte trie.
//
// Two flavours of the same algorithm, because the two references differ in small ways:
//  - HF (tokenizer.json): scores as f64, every vocabulary entry matchable, min score over all
//    entries, consecutive unknowns fused and then looked up / byte-fallen-back by their string.
//  - SentencePiece (.model, spm_encode parity): scores as f32 sums, only NORMAL / USER_DEFINED
//    (UNUSED skipped) pieces matchable, min / max score over NORMAL pieces, USER_DEFINED pieces
//    get SentencePiece's length * max_score - 0.1 bonus, unknowns fused by id or decomposed into
//    <0xXX> byte pieces when byte_fallback is on.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/models/double_array_trie.h"
#include "tokenizer/models/model.h"
#include "tokenizer/models/piece_table.h"

namespace wasmbed::tok {

// SentencePiece piece types (sentencepiece_model.proto ModelProto.SentencePiece.Type).
enum class PieceType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

struct UnigramPiece {
  std::string piece;
  double score = 0;
  PieceType type = PieceType::kNormal;
};

// A Unigram vocabulary as the readers produce it (tokenizer.json model.vocab, a .model's pieces),
// pieces in id order, without a string object per piece. Scores are kept as float while every
// score is exactly a float (SentencePiece models store float; their tokenizer.json copies print
// those floats), which halves their memory; the first one that is not switches to double.
class UnigramVocab {
 public:
  void reserve(size_t pieces, size_t bytes);
  void push_back(std::string_view piece, double score, PieceType type = PieceType::kNormal);
  size_t size() const { return pieces_.size(); }
  std::string_view piece(size_t id) const { return pieces_.at(id); }
  double score(size_t id) const { return wide_ ? f64_[id] : static_cast<double>(f32_[id]); }
  PieceType type(size_t id) const { return typed_ ? types_[id] : PieceType::kNormal; }

 private:
  friend class Unigram;
  PieceTable pieces_;
  std::vector<float> f32_;
  std::vector<double> f64_;
  bool wide_ = false;
  std::vector<PieceType> types_;  // kept from the first piece that is not kNormal on
  bool typed_ = false;
};

class Unigram : public Model {
 public:
  // HF semantics. unk_id = -1 for none (then unknown characters are an error, as in HF).
  Unigram(UnigramVocab vocab, int32_t unk_id, bool byte_fallback);
  Unigram(const std::vector<UnigramPiece>& vocab, int32_t unk_id, bool byte_fallback);
  // SentencePiece semantics (types matter). unk_id must be a valid index.
  static std::unique_ptr<Unigram> sentencepiece(UnigramVocab pieces, int32_t unk_id, bool byte_fallback);
  static std::unique_ptr<Unigram> sentencepiece(const std::vector<UnigramPiece>& pieces, int32_t unk_id, bool byte_fallback);

  std::vector<Token> tokenize(std::string_view piece) const override;
  // Appends the tokens of `piece` to `out` (offsets relative to piece), no strings built; the
  // lattice buffers are reused across calls (one set per thread).
  void tokenize_spans(std::string_view piece, std::vector<TokenSpan>& out) const;
  // The token string tokenize() gives for a span of `piece`.
  std::string span_value(const TokenSpan& span, std::string_view piece) const;
  int32_t token_to_id(std::string_view token) const override { return trie_.find(token); }
  std::string id_to_token(int32_t id, bool& found) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  const char* type() const override { return "Unigram"; }

  int32_t unk_id() const { return unk_id_; }
  bool byte_fallback() const { return byte_fallback_; }

 private:
  struct PathNode {
    int32_t id;
    size_t start, end;
  };
  Unigram(UnigramVocab vocab, int32_t unk_id, bool byte_fallback, bool spm);
  // The best segmentation into `path` (cleared first), in text order.
  template <typename Real>
  void best_path(std::string_view text, std::vector<PathNode>& path) const;
  void spans_hf(std::string_view text, const std::vector<PathNode>& path, std::vector<TokenSpan>& out) const;
  void spans_spm(std::string_view text, const std::vector<PathNode>& path, std::vector<TokenSpan>& out) const;
  [[noreturn]] void missing_unk() const;

  // Pieces, scores (float in SentencePiece mode, as the .model stores them; in HF mode float or
  // double, see UnigramVocab) and types (SentencePiece mode).
  UnigramVocab vocab_;
  // Every piece -> its id (the last id of a repeated piece, as HF's HashMap). SentencePiece mode
  // skips the types its own trie leaves out (CONTROL, UNKNOWN, BYTE) where the lattice is built.
  PieceTrie trie_;
  int32_t unk_id_;
  bool byte_fallback_;
  bool spm_;
  double min_score_ = 0;
  float min_score_f32_ = 0;
  float max_score_f32_ = 0;
  int32_t byte_ids_[256];  // <0xXX> piece ids, -1 when absent
};

}  // namespace wasmbed::tok
