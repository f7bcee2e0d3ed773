#include "tokenizer/normalizers/bert.h"

#include "tokenizer/unicode.h"

namespace wasmbed::tok {

void BertNormalizer::normalize(NormalizedString& s) const {
  if (clean_text_) {
    s.filter([](char32_t c) { return !(c == 0 || c == 0xFFFD || unicode::is_bert_control(c)); });
    s.map([](char32_t c) { return unicode::is_bert_whitespace(c) ? U' ' : c; });
  }
  if (handle_chinese_chars_) {
    bool any = false;
    for (size_t i = 0; i < s.get().size() && !any;) {
      size_t len;
      any = unicode::is_chinese_char(unicode::decode(s.get(), i, len));
      i += len;
    }
    if (any) {
      // Surround each CJK ideograph with spaces; the spaces are insertions aligned to their
      // neighbours, exactly like HF's (' ', 1), (c, 0), (' ', 1).
      std::vector<CharChange> dest;
      dest.reserve(s.get().size() + 16);
      for (size_t i = 0; i < s.get().size();) {
        size_t len;
        const char32_t c = unicode::decode(s.get(), i, len);
        i += len;
        if (unicode::is_chinese_char(c)) {
          dest.push_back({U' ', 1});
          dest.push_back({c, 0});
          dest.push_back({U' ', 1});
        } else {
          dest.push_back({c, 0});
        }
      }
      s.transform(dest, 0);
    }
  }
  // HF: strip_accents unset (JSON null) follows lowercase.
  const bool strip_accents = strip_accents_.value_or(lowercase_);
  if (strip_accents) {
    s.nfd();
    s.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
  }
  if (lowercase_) s.lowercase();
}

}  // namespace wasmbed::tok
