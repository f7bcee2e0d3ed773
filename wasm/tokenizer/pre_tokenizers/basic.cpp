// The simple HF pre-tokenizers: BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation,
// Digits, CharDelimiterSplit.
#include "tokenizer/pre_tokenizers/bert.h"
#include "tokenizer/pre_tokenizers/char_delimiter.h"
#include "tokenizer/pre_tokenizers/digits.h"
#include "tokenizer/pre_tokenizers/punctuation.h"
#include "tokenizer/pre_tokenizers/whitespace.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

void split_on_chars(PreTokenizedString& s, bool (*pred)(char32_t), SplitDelimiterBehavior behavior) {
  s.split([&](size_t, NormalizedString&& n) { return n.split(find_matches_char(n.get(), pred), behavior); });
}

}  // namespace

void BertPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  split_on_chars(s, unicode::is_whitespace, SplitDelimiterBehavior::kRemoved);
  split_on_chars(s, unicode::is_punctuation, SplitDelimiterBehavior::kIsolated);
}

void WhitespacePreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  // HF: split on Invert(regex `\w+|[^\w\s]+`) with Removed, i.e. keep the regex matches. HF
  // compiles it with the `regex` crate, so scan the two char classes directly (same matches:
  // runs of word chars, runs of chars that are neither word nor whitespace).
  s.split([](size_t, NormalizedString&& n) {
    const std::string& text = n.get();
    PatternMatches m;
    if (text.empty()) m.push_back({{0, 0}, true});
    size_t i = 0, prev = 0;
    while (i < text.size()) {
      size_t len;
      char32_t c = unicode::decode(text, i, len);
      if (unicode::is_whitespace(c)) {
        i += len;
        continue;
      }
      const bool word = unicode::is_rust_regex_word_char(c);
      const size_t start = i;
      while (i < text.size()) {
        c = unicode::decode(text, i, len);
        if (unicode::is_whitespace(c) || unicode::is_rust_regex_word_char(c) != word) break;
        i += len;
      }
      if (prev != start) m.push_back({{prev, start}, true});  // gap: removed
      m.push_back({{start, i}, false});                        // kept run
      prev = i;
    }
    if (prev != text.size()) m.push_back({{prev, text.size()}, true});
    return n.split(m, SplitDelimiterBehavior::kRemoved);
  });
}

void WhitespaceSplitPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  split_on_chars(s, unicode::is_whitespace, SplitDelimiterBehavior::kRemoved);
}

void PunctuationPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  split_on_chars(s, unicode::is_punctuation, behavior_);
}

void DigitsPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  split_on_chars(s, unicode::is_numeric,
                 individual_digits_ ? SplitDelimiterBehavior::kIsolated : SplitDelimiterBehavior::kContiguous);
}

void CharDelimiterSplitPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  const char32_t d = delimiter_;
  s.split([&](size_t, NormalizedString&& n) {
    return n.split(find_matches_char(n.get(), [d](char32_t c) { return c == d; }), SplitDelimiterBehavior::kRemoved);
  });
}

}  // namespace wasmbed::tok
