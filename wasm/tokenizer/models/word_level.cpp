#include "tokenizer/models/word_level.h"

#include "common/error.h"

namespace wasmbed::tok {

std::vector<Token> WordLevel::tokenize(std::string_view piece) const {
  if (piece.empty()) return {};
  int32_t id = vocab_.find(piece);
  if (id >= 0) return {Token{id, std::string(piece), {0, piece.size()}}};
  id = vocab_.find(unk_token_);
  if (id < 0) fail(ErrorCode::kInvalidArgument, "WordLevel: the unk token '" + unk_token_ + "' is not in the vocabulary");
  return {Token{id, unk_token_, {0, piece.size()}}};
}

std::string WordLevel::id_to_token(int32_t id, bool& found) const {
  const std::string* t = vocab_.token(id);
  found = t != nullptr;
  return t ? *t : std::string();
}

}  // namespace wasmbed::tok
