// Scratch shared by the fast paths: normalized UTF-8 bytes, each with the original byte range it
// stands for (NormalizedString's alignments, without the copies), and the step that turns a
// model's spans over one word of it into Encoding entries.
#pragma once
#include <cstdint>
#include <iterator>
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
    if (c < 0x80) {
      text.push_back(static_cast<char>(c));
      align.emplace_back(start, end);
      return;
    }
    const size_t before = text.size();
    unicode::append_utf8(text, c);
    for (size_t k = before; k < text.size(); ++k) align.emplace_back(start, end);
  }
  // A char kept as it is in the input: its own bytes, all aligned to them.
  void push_same(std::string_view bytes, uint32_t start) {
    text.append(bytes);
    for (size_t k = 0; k < bytes.size(); ++k) align.emplace_back(start, start + static_cast<uint32_t>(bytes.size()));
  }
  void push_bytes(std::string_view bytes, std::pair<uint32_t, uint32_t> range) {
    text.append(bytes);
    align.insert(align.end(), bytes.size(), range);
  }
};

// The tokens of one sequence as they are found, kept between calls so that the Encoding can be
// built at its final size (plus room for the specials the post-processor will add) in one go.
struct TokenBuffer {
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
  std::vector<Range> offsets;
  std::vector<int32_t> word_ids;
  std::vector<TokenSpan> spans;  // one word's spans (scratch)

  void clear() {
    ids.clear();
    tokens.clear();
    offsets.clear();
    word_ids.clear();
  }
};

// Appends the tokens `model` gives for the word text[ws, we) of `norm`, as the general pipeline
// would: offsets are the original range of the token's first to last byte, word index `word`.
template <typename M>
void emit_word(const M& model, const AlignedText& norm, size_t ws, size_t we, int32_t word, TokenBuffer& out) {
  const std::string_view piece(norm.text.data() + ws, we - ws);
  out.spans.clear();
  model.tokenize_spans(piece, out.spans);
  for (const TokenSpan& s : out.spans) {
    out.ids.push_back(s.id);
    out.tokens.push_back(model.span_value(s, piece));
    out.offsets.emplace_back(norm.align[ws + s.start].first, norm.align[ws + s.end - 1].second);
    out.word_ids.push_back(word);
  }
}

// The Encoding of the buffered tokens (Encoding::from_tokens), with room for `extra` more.
// The fast paths keep their scratch buffers between calls (thread_local) so short texts do not
// allocate; after a huge text they would keep ~20 bytes per input byte (alignments of two
// AlignedTexts plus the token buffer: 250+ MB of wasm heap held after one 10 MB encode). Past
// kKeepScratchBytes they are given back instead.
constexpr size_t kKeepScratchBytes = size_t{1} << 20;

template <class T>
inline void release_if_large(T& buffer, size_t bytes) {
  if (bytes > kKeepScratchBytes) buffer = T();
}

inline void build_encoding(TokenBuffer& buf, int32_t type_id, size_t extra, Encoding& e) {
  e = Encoding();
  const size_t n = buf.ids.size();
  e.reserve(n + extra);
  e.ids.assign(buf.ids.begin(), buf.ids.end());
  e.tokens.assign(std::make_move_iterator(buf.tokens.begin()), std::make_move_iterator(buf.tokens.end()));
  e.offsets.assign(buf.offsets.begin(), buf.offsets.end());
  e.word_ids.assign(buf.word_ids.begin(), buf.word_ids.end());
  e.type_ids.assign(n, type_id);
  e.special_tokens_mask.assign(n, 0);
  e.attention_mask.assign(n, 1);
  e.sequence_ids.assign(n, 0);
}

}  // namespace wasmbed::tok::fast
