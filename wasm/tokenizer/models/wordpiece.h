// WordPiece (HF models/wordpiece): greedy longest-match-first over a word, continuation pieces
// carry `continuing_subword_prefix`; a word longer than max_input_chars_per_word chars or with
// any unmatchable rest becomes the single unk token.
#pragma once
#include <string>
#include <vector>

#include "tokenizer/models/model.h"
#include "tokenizer/models/trie.h"
#include "tokenizer/models/vocab.h"

namespace wasmbed::tok {

class WordPiece : public Model {
 public:
  WordPiece(Vocab vocab, std::string unk_token, std::string continuing_subword_prefix,
            size_t max_input_chars_per_word);

  std::vector<Token> tokenize(std::string_view piece) const override;
  // Appends the tokens of `piece` to `out` (offsets relative to piece), no strings built.
  void tokenize_spans(std::string_view piece, std::vector<TokenSpan>& out) const;
  // The token string tokenize() gives for a span of `piece`.
  std::string span_value(const TokenSpan& span, std::string_view piece) const;
  int32_t token_to_id(std::string_view token) const override { return vocab_.find(token); }
  std::string id_to_token(int32_t id, bool& found) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  const char* type() const override { return "WordPiece"; }

  const std::string& continuing_subword_prefix() const { return prefix_; }

 private:
  int32_t unk_id() const;

  Vocab vocab_;
  std::string unk_token_;
  std::string prefix_;
  size_t max_chars_;
  // Two tries so the longest match at a position is found in one walk instead of re-hashing
  // every shorter candidate: word-initial pieces, and continuation pieces without their prefix.
  ByteTrie initial_;
  ByteTrie continuation_;
};

}  // namespace wasmbed::tok
