#include "tokenizer/models/wordpiece.h"

#include "common/error.h"

namespace wasmbed::tok {

WordPiece::WordPiece(Vocab vocab, std::string unk_token, std::string continuing_subword_prefix,
                     size_t max_input_chars_per_word)
    : vocab_(std::move(vocab)),
      unk_token_(std::move(unk_token)),
      prefix_(std::move(continuing_subword_prefix)),
      max_chars_(max_input_chars_per_word) {
  vocab_.for_each([&](const std::string& tok, int32_t id) {
    initial_.insert(tok, id);
    if (!prefix_.empty() && tok.size() > prefix_.size() && tok.compare(0, prefix_.size(), prefix_) == 0)
      continuation_.insert(std::string_view(tok).substr(prefix_.size()), id);
  });
  initial_.freeze();
  continuation_.freeze();
}

std::string WordPiece::id_to_token(int32_t id, bool& found) const {
  const std::string* t = vocab_.token(id);
  found = t != nullptr;
  return t ? *t : std::string();
}

int32_t WordPiece::unk_id() const {
  const int32_t id = vocab_.find(unk_token_);
  if (id < 0)
    fail(ErrorCode::kInvalidArgument, "WordPiece: the unk token '" + unk_token_ + "' is not in the vocabulary");
  return id;
}

void WordPiece::tokenize_spans(std::string_view piece, std::vector<TokenSpan>& out) const {
  const auto whole_unk = [&] { out.push_back(TokenSpan{unk_id(), 0, static_cast<uint32_t>(piece.size()), TokenSpan::kUnk, 0}); };
  size_t chars = 0;
  for (unsigned char c : piece) chars += (c & 0xC0) != 0x80;
  if (chars > max_chars_) return whole_unk();

  const size_t first = out.size();
  size_t start = 0;
  while (start < piece.size()) {
    size_t best_len = 0;
    int32_t best_id = -1;
    // HF tries candidates [start, end) from the longest end down and takes the first in the
    // vocabulary: that is the longest key of the trie that prefixes the rest.
    const ByteTrie& trie = (start == 0 || prefix_.empty()) ? initial_ : continuation_;
    trie.common_prefixes(piece, start, [&](size_t len, int32_t id) {
      best_len = len;
      best_id = id;
      return true;
    });
    if (best_id < 0) {
      out.resize(first);  // any unmatchable rest makes the whole word one unk
      return whole_unk();
    }
    // A match ends on a char boundary (vocabulary strings are valid UTF-8).
    out.push_back(TokenSpan{best_id, static_cast<uint32_t>(start), static_cast<uint32_t>(start + best_len), TokenSpan::kText, 0});
    start += best_len;
  }
}

std::string WordPiece::span_value(const TokenSpan& span, std::string_view piece) const {
  if (span.kind == TokenSpan::kUnk) return unk_token_;
  std::string value = (span.start == 0 || prefix_.empty()) ? std::string() : prefix_;
  value.append(piece.substr(span.start, span.end - span.start));
  return value;
}

std::vector<Token> WordPiece::tokenize(std::string_view piece) const { return tokens_from_spans(*this, piece); }

}  // namespace wasmbed::tok
