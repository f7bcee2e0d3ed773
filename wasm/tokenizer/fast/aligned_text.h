// Scratch shared by the fast paths: normalized UTF-8 bytes, each with the original byte range it
// stands for (NormalizedString's alignments, without the copies), and the step that turns a
// model's spans over one word of it into Encoding entries.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/encoding.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok::fast {

struct AlignedText {
  std::string text;
  std::vector<std::pair<uint32_t, uint32_t>> align;  // per byte of text: original [start, end)

  void clear() {
    text.clear();
    align.clear();
  }
  void push(char32_t c, uint32_t start, uint32_t end) {
    const size_t before = text.size();
    if (c < 0x80) text.push_back(static_cast<char>(c));
    else unicode::append_utf8(text, c);
    align.insert(align.end(), text.size() - before, {start, end});
  }
  void push_bytes(std::string_view bytes, std::pair<uint32_t, uint32_t> range) {
    text.append(bytes);
    align.insert(align.end(), bytes.size(), range);
  }
};

// Clears `e` for a new sequence of tokens.
inline void begin_encoding(Encoding& e) {
  e = Encoding();
}

// Appends the tokens `model` gives for the word text[ws, we) of `norm`, as the general pipeline
// would: offsets are the original range of the token's first to last byte, word index `word`.
template <typename M>
void emit_word(const M& model, const AlignedText& norm, size_t ws, size_t we, int32_t word,
               std::vector<TokenSpan>& spans, Encoding& e) {
  const std::string_view piece(norm.text.data() + ws, we - ws);
  spans.clear();
  model.tokenize_spans(piece, spans);
  for (const TokenSpan& s : spans) {
    e.ids.push_back(s.id);
    e.tokens.push_back(model.span_value(s, piece));
    e.offsets.emplace_back(norm.align[ws + s.start].first, norm.align[ws + s.end - 1].second);
    e.word_ids.push_back(word);
  }
}

// Fills the per-token fields every model token has (Encoding::from_tokens).
inline void finish_encoding(Encoding& e, int32_t type_id) {
  const size_t n = e.ids.size();
  e.type_ids.assign(n, type_id);
  e.special_tokens_mask.assign(n, 0);
  e.attention_mask.assign(n, 1);
  e.sequence_ids.assign(n, 0);
}

}  // namespace wasmbed::tok::fast
