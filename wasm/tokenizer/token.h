// Basic value types shared by every stage of the tokenizer pipeline.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wasmbed::tok {

// Half-open byte range [first, second) into a UTF-8 string.
using Range = std::pair<size_t, size_t>;

// One token as a model produces it. `offsets` are byte offsets: relative to the piece the model
// was given while inside the model, then mapped by the pipeline to the original input text.
struct Token {
  int32_t id = 0;
  std::string value;
  Range offsets{0, 0};
};

// A token as a model finds it, before its string is built: `id` and the byte range [start, end)
// of the piece it covers. `kind` says how the model spells it (Model::span_value): the piece's
// bytes (with WordPiece's continuation prefix after the first piece), the model's unk token, or
// the byte-fallback piece "<0xXX>" of `byte`. Fast paths collect these into reused buffers and
// build strings only for the tokens they keep.
struct TokenSpan {
  enum Kind : uint8_t { kText, kUnk, kByte };
  int32_t id = 0;
  uint32_t start = 0;
  uint32_t end = 0;
  Kind kind = kText;
  uint8_t byte = 0;
};

// Model::tokenize for a span-based model M (tokenize_spans + span_value): the spans, then their
// strings, for the general pipeline.
template <typename M>
std::vector<Token> tokens_from_spans(const M& model, std::string_view piece) {
  std::vector<TokenSpan> spans;
  model.tokenize_spans(piece, spans);
  std::vector<Token> out;
  out.reserve(spans.size());
  for (const TokenSpan& s : spans) out.push_back(Token{s.id, model.span_value(s, piece), {s.start, s.end}});
  return out;
}

}  // namespace wasmbed::tok
