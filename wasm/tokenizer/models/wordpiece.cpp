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

std::vector<Token> WordPiece::unk(std::string_view piece) const {
  const int32_t id = vocab_.find(unk_token_);
  if (id < 0)
    fail(ErrorCode::kInvalidArgument, "WordPiece: the unk token '" + unk_token_ + "' is not in the vocabulary");
  return {Token{id, unk_token_, {0, piece.size()}}};
}

std::vector<Token> WordPiece::tokenize(std::string_view piece) const {
  size_t chars = 0;
  for (unsigned char c : piece) chars += (c & 0xC0) != 0x80;
  if (chars > max_chars_) return unk(piece);

  std::vector<Token> out;
  size_t start = 0;
  while (start < piece.size()) {
    size_t best_len = 0;
    int32_t best_id = -1;
    // HF tries candidates [start, end) from the longest end down and takes the first in the
    // vocabulary: that is the longest key of the trie that prefixes the rest.
    if (start == 0) {
      initial_.common_prefixes(piece, 0, [&](size_t len, int32_t id) {
        best_len = len;
        best_id = id;
        return true;
      });
    } else if (prefix_.empty()) {
      initial_.common_prefixes(piece, start, [&](size_t len, int32_t id) {
        best_len = len;
        best_id = id;
        return true;
      });
    } else {
      continuation_.common_prefixes(piece, start, [&](size_t len, int32_t id) {
        best_len = len;
        best_id = id;
        return true;
      });
    }
    if (best_id < 0) return unk(piece);
    // A match must end on a char boundary (vocabulary strings are valid UTF-8, so it does).
    std::string value = (start == 0 || prefix_.empty()) ? std::string() : prefix_;
    value.append(piece.substr(start, best_len));
    out.push_back(Token{best_id, std::move(value), {start, start + best_len}});
    start += best_len;
  }
  return out;
}

}  // namespace wasmbed::tok
