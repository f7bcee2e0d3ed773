// Reader for SentencePiece .model files (a serialized sentencepiece.ModelProto), written against
// the protobuf wire format directly so no protobuf runtime is needed. Only the fields a tokenizer
// needs are kept; unknown fields are skipped as protobuf requires.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/models/unigram.h"

namespace wasmbed::tok {

struct SentencePieceModel {
  enum class Type { kUnigram = 1, kBpe = 2, kWord = 3, kChar = 4 };
  std::vector<UnigramPiece> pieces;  // piece, score, type
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
