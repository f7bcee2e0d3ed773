// Reader for SentencePiece .model files (a serialized sentencepiece.ModelProto), written against
// the protobuf wire format directly so no protobuf runtime is needed. Only the fields a tokenizer
// needs are kept; unknown fields are skipped as protobuf requires.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/models/unigram.h"

namespace wasmbed::tok {

// The pieces are not copied out of the serialized model: parsing checks and counts them, and
// for_each_piece reads them again from `bytes` straight into whatever the model is built from, so a
// 250k-piece model is never held as 250k strings beside its final vocabulary.
struct SentencePieceModel {
  enum class Type { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };
  std::string_view bytes;  // the serialized model (must outlive this)
  size_t piece_count = 0;
  size_t piece_bytes = 0;                 // the pieces' UTF-8 bytes together
  std::vector<std::string> user_defined;  // the USER_DEFINED pieces, in order

  // Calls fn(piece, score, type) for every piece, in id order.
  void for_each_piece(const std::function<void(std::string_view, float, PieceType)>& fn) const;
  // Every piece as a string (small models, tests, the BPE model).
  std::vector<UnigramPiece> piece_list() const;

  // trainer_spec
  Type model_type = Type::kUnigram;
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  int32_t unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
  std::string unk_piece = "<unk>", bos_piece = "<s>", eos_piece = "</s>", pad_piece = "<pad>";
  // normalizer_spec
  std::string normalizer_name;
  std::string precompiled_charsmap;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
  std::string normalization_rule_tsv;
};

// Throws wasmbed::Error(kParse, "sentencepiece model: ...") on malformed input (truncated
// varints / lengths, wrong wire types for known fields, no pieces, unk_id out of range).
SentencePieceModel parse_sentencepiece_model(std::string_view bytes);

}  // namespace wasmbed::tok
