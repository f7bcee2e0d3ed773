#include "tokenizer/fast/metaspace_unigram.h"

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/normalized_string.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/fast/aligned_text.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/pre_tokenizers/metaspace.h"
#include "tokenizer/unicode.h"
#include "utf8proc.h"

namespace wasmbed::tok {

namespace {

// NormalizedString::lrstrip: whole leading / trailing whitespace chars go, the rest keep their
// alignments (an all-whitespace text becomes empty).
void strip(fast::AlignedText& t, bool left, bool right) {
  size_t begin = 0, end = t.text.size();
  if (left) {
    while (begin < end) {
      size_t len;
      if (!unicode::is_whitespace(unicode::decode(t.text, begin, len))) break;
      begin += len;
    }
  }
  if (right) {
    while (end > begin) {
      size_t b = end - 1;
      while (b > begin && (static_cast<unsigned char>(t.text[b]) & 0xC0) == 0x80) --b;
      size_t len;
      if (!unicode::is_whitespace(unicode::decode(t.text, b, len))) break;
      end = b;
    }
  }
  if (begin == 0 && end == t.text.size()) return;
  t.text.erase(end);
  t.text.erase(0, begin);
  t.align.erase(t.align.begin() + static_cast<std::ptrdiff_t>(end), t.align.end());
  t.align.erase(t.align.begin(), t.align.begin() + static_cast<std::ptrdiff_t>(begin));
}

// NormalizedString::replace of ASCII spaces by `content`, each byte of which takes the alignment
// of the last space it replaces: with `runs`, runs of 2 or more spaces (the regex " {2,}"),
// otherwise every single space (the literal " "). The text between is copied in bulk.
void replace_spaces(const fast::AlignedText& in, fast::AlignedText& out, bool runs, std::string_view content) {
  out.clear();
  const std::string& s = in.text;
  size_t copied = 0;  // s[0, copied) is in `out`
  const auto copy_to = [&](size_t end) {
    out.text.append(s, copied, end - copied);
    out.align.insert(out.align.end(), in.align.begin() + static_cast<std::ptrdiff_t>(copied),
                     in.align.begin() + static_cast<std::ptrdiff_t>(end));
    copied = end;
  };
  for (size_t i = s.find(' '); i != std::string::npos; i = s.find(' ', i)) {
    size_t j = i + 1;
    if (runs) {
      while (j < s.size() && s[j] == ' ') ++j;
      if (j - i < 2) {
        i = j;
        continue;
      }
    }
    copy_to(i);
    out.push_bytes(content, in.align[j - 1]);
    copied = j;
    i = j;
  }
  copy_to(s.size());
}

// Per char: what the charsmap may do to it (Precompiled::Effect, bits 0-1) and its grapheme
// boundary class as far as the identity test needs it (bits 2-4).
enum : uint8_t { kOther = 1, kLV = 2, kLVT = 3, kV = 4, kT = 5, kSafeNext = 6 };

uint8_t char_info(const Precompiled& p, char32_t c) {
  const auto effect = static_cast<uint8_t>(p.char_effect(unicode::to_utf8(c)));
  uint8_t cls = 0;
  switch (utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->boundclass) {
    // Classes for which no rule joins an ordinary next char (Prepend, Extend, ZWJ ... excluded)
    // and no history matters (regional indicators, emoji ZWJ sequences, Indic conjuncts).
    case UTF8PROC_BOUNDCLASS_OTHER: cls = kOther; break;
    case UTF8PROC_BOUNDCLASS_LV: cls = kLV; break;
    case UTF8PROC_BOUNDCLASS_LVT: cls = kLVT; break;
    case UTF8PROC_BOUNDCLASS_V: cls = kV; break;
    case UTF8PROC_BOUNDCLASS_T: cls = kT; break;
    case UTF8PROC_BOUNDCLASS_CONTROL: case UTF8PROC_BOUNDCLASS_CR: case UTF8PROC_BOUNDCLASS_LF:
    case UTF8PROC_BOUNDCLASS_L: cls = kSafeNext; break;
    default: break;
  }
  return static_cast<uint8_t>(effect | (cls << 2));
}

// Decodes one char of VALID UTF-8 (the normalized text always is).
inline char32_t next_char(const std::string& s, size_t i, size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    len = 1;
    return b0;
  }
  const auto cont = [&](size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  if (b0 < 0xE0) {
    len = 2;
    return (static_cast<char32_t>(b0 & 0x1F) << 6) | cont(1);
  }
  if (b0 < 0xF0) {
    len = 3;
    return (static_cast<char32_t>(b0 & 0x0F) << 12) | (cont(1) << 6) | cont(2);
  }
  len = 4;
  return (static_cast<char32_t>(b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3);
}

}  // namespace

std::vector<uint8_t> MetaspaceUnigramFast::char_table(const Precompiled& p) {
  std::vector<uint8_t> t(0x10000);
  for (char32_t c = 0; c < 0x10000; ++c) t[c] = (c >= 0xD800 && c <= 0xDFFF) ? 2 : char_info(p, c);
  return t;
}

// True when Precompiled::normalize would leave `text` unchanged: no char is (the start of) a
// charsmap key, except chars that only start longer keys and are graphemes of their own (the
// next char begins a new extended grapheme cluster), which the charsmap then leaves alone too.
bool MetaspaceUnigramFast::precompiled_is_identity(const Step& step, const std::string& text) {
  using Effect = Precompiled::Effect;
  const auto info = [&](char32_t c) { return c < 0x10000 ? step.chars[c] : char_info(*step.precompiled, c); };
  size_t len;
  char32_t c = text.empty() ? 0 : next_char(text, 0, len);
  for (size_t i = 0; i < text.size();) {
    const uint8_t ci = info(c);
    const auto effect = static_cast<Effect>(ci & 3);
    const size_t at_next = i + len;
    char32_t next = 0;
    if (at_next < text.size()) next = next_char(text, at_next, len);
    if (effect == Effect::kMay) return false;
    if (effect == Effect::kInCluster && at_next < text.size()) {
      // UAX #29 for these classes: a break unless LV x (V|T) or LVT x T.
      const int a = ci >> 2, b = info(next) >> 2;
      if (a < kOther || a > kLVT || b == 0 || (a == kLV && (b == kV || b == kT)) || (a == kLVT && b == kT)) return false;
    }
    i = at_next;
    c = next;
  }
  return true;
}

MetaspaceUnigramFast::MetaspaceUnigramFast(std::vector<Step> steps, const Metaspace& metaspace, const Unigram& model,
                                           const AddedVocabulary& added)
    : steps_(std::move(steps)),
      metaspace_(metaspace),
      replacement_(unicode::to_utf8(metaspace.replacement())),
      model_(model),
      added_(added) {
  for (Step& s : steps_)
    if (s.kind == Step::kPrecompiled) s.chars = char_table(*s.precompiled);
}

bool MetaspaceUnigramFast::encode(std::string_view text, int32_t type_id, size_t reserve_extra, Encoding& out) const {
  if (added_.raw_token_in(text)) return false;
  thread_local fast::AlignedText a, b;
  thread_local fast::TokenBuffer tokens;
  a.clear();
  if (unicode::is_valid_utf8(text)) {
    // The usual case: the bytes as they are, each aligned to its char.
    a.text.assign(text);
    a.align.resize(text.size());
    for (size_t i = 0; i < text.size();) {
      size_t len;
      next_char(a.text, i, len);
      for (size_t k = i; k < i + len; ++k) a.align[k] = {static_cast<uint32_t>(i), static_cast<uint32_t>(i + len)};
      i += len;
    }
  } else {
    for (size_t i = 0; i < text.size();) {
      size_t len;
      const char32_t c = unicode::decode(text, i, len);  // invalid bytes -> U+FFFD, as the general path
      a.push(c, static_cast<uint32_t>(i), static_cast<uint32_t>(i + len));
      i += len;
    }
  }
  fast::AlignedText* cur = &a;
  fast::AlignedText* other = &b;
  for (size_t k = 0; k < steps_.size(); ++k) {
    const Step& step = steps_[k];
    switch (step.kind) {
      case Step::kPrecompiled:
        if (!precompiled_is_identity(step, cur->text)) {
          // The charsmap changes something: run the real normalizers up to this one on a
          // NormalizedString, then go on from its text and alignments (the rest stays fast).
          NormalizedString ns(text);
          for (size_t j = 0; j <= k; ++j) steps_[j].normalizer->normalize(ns);
          cur->clear();
          cur->text = ns.get();
          cur->align.reserve(ns.alignments().size());
          for (const Range& r : ns.alignments())
            cur->align.emplace_back(static_cast<uint32_t>(r.first), static_cast<uint32_t>(r.second));
        }
        break;
      case Step::kStrip:
        strip(*cur, step.left, step.right);
        break;
      case Step::kCollapseSpaces:
        if (cur->text.find("  ") == std::string::npos) break;  // no run of 2+ spaces: nothing to do
        replace_spaces(*cur, *other, true, step.content);
        std::swap(cur, other);
        break;
    }
  }
  // Metaspace: every space becomes the replacement, then the prefix, then a split before each
  // replacement (MergedWithNext).
  replace_spaces(*cur, *other, false, replacement_);
  std::swap(cur, other);
  fast::AlignedText& t = *cur;
  const PrependScheme scheme = metaspace_.prepend_scheme();
  // kFirst prepends to the piece at the start of the input: with no added token, the whole text.
  if (scheme != PrependScheme::kNever && !t.text.empty() && t.text.compare(0, replacement_.size(), replacement_) != 0) {
    const auto first = t.align[0];
    t.text.insert(0, replacement_);
    t.align.insert(t.align.begin(), replacement_.size(), first);
  }

  tokens.clear();
  int32_t word = 0;
  size_t piece_start = 0;
  if (metaspace_.split()) {
    const std::string& s = t.text;
    for (size_t i = 0; i < s.size();) {
      if (i > piece_start && s[i] == replacement_[0] && s.compare(i, replacement_.size(), replacement_) == 0) {
        fast::emit_word(model_, t, piece_start, i, word++, tokens);
        piece_start = i;
      }
      i += unicode::char_len_at(s, i);
    }
  }
  if (t.text.size() > piece_start) fast::emit_word(model_, t, piece_start, t.text.size(), word, tokens);
  fast::build_encoding(tokens, type_id, reserve_extra, out);
  fast::release_if_large(a, a.align.capacity() * sizeof(a.align[0]));
  fast::release_if_large(b, b.align.capacity() * sizeof(b.align[0]));
  fast::release_if_large(tokens, tokens.offsets.capacity() * sizeof(Range));
  return true;
}

}  // namespace wasmbed::tok
