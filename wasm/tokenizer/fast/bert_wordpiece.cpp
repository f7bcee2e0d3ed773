#include "tokenizer/fast/bert_wordpiece.h"

#include <array>
#include <vector>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/fast/aligned_text.h"
#include "tokenizer/models/wordpiece.h"
#include "tokenizer/normalizers/bert.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

// The char classes this pipeline asks about, precomputed for the BMP (the table lookups of
// unicode.cpp are binary searches; this is one load per char).
enum : uint8_t { kControl = 1, kBertSpace = 2, kSpace = 4, kPunct = 8, kChinese = 16 };

uint8_t classify(char32_t c) {
  return (unicode::is_bert_control(c) ? kControl : 0) | (unicode::is_bert_whitespace(c) ? kBertSpace : 0) |
         (unicode::is_whitespace(c) ? kSpace : 0) | (unicode::is_punctuation(c) ? kPunct : 0) |
         (unicode::is_chinese_char(c) ? kChinese : 0);
}

uint8_t classes(char32_t c) {
  static const std::vector<uint8_t> bmp = [] {
    std::vector<uint8_t> t(0x10000);
    for (char32_t c = 0; c < 0x10000; ++c) t[c] = classify(c);
    return t;
  }();
  return c < 0x10000 ? bmp[c] : classify(c);
}

}  // namespace

BertWordPieceFast::BertWordPieceFast(const BertNormalizer* normalizer, const WordPiece& model,
                                     const AddedVocabulary& added)
    : clean_text_(normalizer && normalizer->clean_text()),
      chinese_(normalizer && normalizer->handle_chinese_chars()),
      strip_accents_(normalizer && normalizer->strip_accents()),
      lowercase_(normalizer && normalizer->lowercase()),
      model_(model),
      added_(added) {}

bool BertWordPieceFast::encode(std::string_view text, int32_t type_id, size_t reserve_extra, Encoding& out) const {
  if (added_.raw_token_in(text)) return false;
  thread_local fast::AlignedText norm;
  thread_local std::vector<std::pair<uint32_t, uint32_t>> words;  // [start, end) in norm.text
  thread_local fast::TokenBuffer tokens;
  norm.clear();
  words.clear();
  // Normalized chars are appended in order; a word is a run between whitespace, punctuation and
  // CJK chars (each of the last two a word of its own). Removed chars (clean_text) leave no
  // trace and every kept char keeps its original range, exactly as the general pipeline's
  // filter / map / transform leave the alignments.
  size_t word_start = 0;
  const auto close_word = [&] {
    if (norm.text.size() > word_start) words.emplace_back(word_start, norm.text.size());
    word_start = norm.text.size();
  };
  const bool ascii_only = strip_accents_ || lowercase_;  // NFD / Unicode lowercase: general path
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    char32_t c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) c = unicode::decode(text, i, len);  // invalid bytes -> U+FFFD, as the general path
    // The input's own bytes can be copied when they are this very char (not a repaired sequence).
    const char32_t original = (c == unicode::kReplacementChar && len != 3) ? 0xFFFFFFFF : c;
    const uint32_t start = static_cast<uint32_t>(i), end = static_cast<uint32_t>(i + len);
    i += len;
    uint8_t cls = classes(c);
    if (clean_text_) {
      if (c == 0 || c == unicode::kReplacementChar || (cls & kControl)) continue;
      if (cls & kBertSpace) {
        c = U' ';
        cls = kSpace;
      }
    }
    if (c >= 0x80 && ascii_only) return false;
    if (lowercase_ && c >= 'A' && c <= 'Z') c += 32;
    if (cls & kSpace) {
      close_word();
      continue;
    }
    const bool isolated = (chinese_ && (cls & kChinese)) || (cls & kPunct);
    if (isolated) close_word();
    if (c == original) norm.push_same(text.substr(start, len), start);
    else norm.push(c, start, end);
    if (isolated) close_word();
  }
  close_word();

  tokens.clear();
  for (size_t w = 0; w < words.size(); ++w)
    fast::emit_word(model_, norm, words[w].first, words[w].second, static_cast<int32_t>(w), tokens);
  fast::build_encoding(tokens, type_id, reserve_extra, out);
  fast::release_if_large(norm, norm.align.capacity() * sizeof(norm.align[0]));
  fast::release_if_large(words, words.capacity() * sizeof(words[0]));
  fast::release_if_large(tokens, tokens.offsets.capacity() * sizeof(Range));
  return true;
}

}  // namespace wasmbed::tok
