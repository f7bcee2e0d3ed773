// Base class of the tokenization models (HF tokenizers' Model trait): turns one pre-tokenized,
// normalized piece into tokens whose offsets are byte offsets relative to that piece.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/token.h"

namespace wasmbed::tok {

class Model {
 public:
  virtual ~Model() = default;
  // `piece` is valid UTF-8. Never returns tokens with empty values; offsets are relative to piece.
  virtual std::vector<Token> tokenize(std::string_view piece) const = 0;
  // -1 when absent.
  virtual int32_t token_to_id(std::string_view token) const = 0;
  // Sets `found` to false (and returns "") when absent.
  virtual std::string id_to_token(int32_t id, bool& found) const = 0;
  virtual size_t vocab_size() const = 0;
  // "WordPiece", "Unigram", "BPE" (the tokenizer.json spelling).
  virtual const char* type() const = 0;
};

}  // namespace wasmbed::tok
