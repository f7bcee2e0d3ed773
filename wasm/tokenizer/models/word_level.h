// WordLevel (HF models/wordlevel): the whole piece is one token, or the unk token.
#pragma once
#include <string>

#include "tokenizer/models/model.h"
#include "tokenizer/models/vocab.h"

namespace wasmbed::tok {

class WordLevel : public Model {
 public:
  WordLevel(Vocab vocab, std::string unk_token) : vocab_(std::move(vocab)), unk_token_(std::move(unk_token)) {}
  std::vector<Token> tokenize(std::string_view piece) const override;
  int32_t token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::string id_to_token(int32_t id, bool& found) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  const char* type() const override { return "WordLevel"; }

 private:
  Vocab vocab_;
  std::string unk_token_;
};

}  // namespace wasmbed::tok
