#include "tokenizer/fast/metaspace_unigram.h"

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/fast/aligned_text.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/pre_tokenizers/metaspace.h"
#include "tokenizer/unicode.h"
#include "utf8proc.h"

namespace wasmbed::tok {

namespace {

size_t char_len_at(const std::string& s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

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
// otherwise every single space (the literal " ").
void replace_spaces(const fast::AlignedText& in, fast::AlignedText& out, bool runs, std::string_view content) {
  out.clear();
  const std::string& s = in.text;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != ' ') {
      out.text.push_back(s[i]);
      out.align.push_back(in.align[i]);
      ++i;
      continue;
    }
    size_t j = i + 1;
    if (runs) {
      while (j < s.size() && s[j] == ' ') ++j;
      if (j - i < 2) {
        out.text.push_back(' ');
        out.align.push_back(in.align[i]);
        i = j;
        continue;
      }
    }
    out.push_bytes(content, in.align[j - 1]);
    i = j;
  }
}

bool is_cluster_safe(char32_t c, bool as_next) {
  // Boundary classes for which utf8proc's stateless break test is the stateful one (no regional
  // indicator / emoji ZWJ / Indic conjunct history involved) and, for the first char, that no
  // rule joins it to an ordinary next char (Prepend, Extend, ZWJ are excluded).
  switch (utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->boundclass) {
    case UTF8PROC_BOUNDCLASS_OTHER: case UTF8PROC_BOUNDCLASS_LV: case UTF8PROC_BOUNDCLASS_LVT:
      return true;
    case UTF8PROC_BOUNDCLASS_CONTROL: case UTF8PROC_BOUNDCLASS_CR: case UTF8PROC_BOUNDCLASS_LF:
    case UTF8PROC_BOUNDCLASS_L: case UTF8PROC_BOUNDCLASS_V: case UTF8PROC_BOUNDCLASS_T:
      return as_next;
    default:
      return false;
  }
}

// True when Precompiled::normalize would leave `text` unchanged: no char is (the start of) a
// charsmap key, except chars that only start longer keys and are graphemes of their own (the
// next char begins a new extended grapheme cluster), which the charsmap then leaves alone too.
bool precompiled_is_identity(const Precompiled& p, const std::string& text) {
  using Effect = Precompiled::Effect;
  for (size_t i = 0; i < text.size();) {
    const size_t len = char_len_at(text, i);
    const Effect effect = p.char_effect(std::string_view(text).substr(i, len));
    if (effect == Effect::kMay) return false;
    if (effect == Effect::kInCluster && i + len < text.size()) {
      size_t l1, l2;
      const char32_t c = unicode::decode(text, i, l1);
      const char32_t next = unicode::decode(text, i + len, l2);
      if (!is_cluster_safe(c, false) || !is_cluster_safe(next, true) ||
          !utf8proc_grapheme_break(static_cast<utf8proc_int32_t>(c), static_cast<utf8proc_int32_t>(next)))
        return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

MetaspaceUnigramFast::MetaspaceUnigramFast(std::vector<Step> steps, const Metaspace& metaspace, const Unigram& model,
                                           const AddedVocabulary& added)
    : steps_(std::move(steps)),
      metaspace_(metaspace),
      replacement_(unicode::to_utf8(metaspace.replacement())),
      model_(model),
      added_(added) {}

bool MetaspaceUnigramFast::encode(std::string_view text, int32_t type_id, size_t reserve_extra, Encoding& out) const {
  if (added_.raw_token_in(text)) return false;
  thread_local fast::AlignedText a, b;
  thread_local fast::TokenBuffer tokens;
  a.clear();
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    char32_t c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) c = unicode::decode(text, i, len);  // invalid bytes -> U+FFFD, as the general path
    a.push(c, static_cast<uint32_t>(i), static_cast<uint32_t>(i + len));
    i += len;
  }
  fast::AlignedText* cur = &a;
  fast::AlignedText* other = &b;
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Step::kPrecompiled:
        if (!precompiled_is_identity(*step.precompiled, cur->text)) return false;
        break;
      case Step::kStrip:
        strip(*cur, step.left, step.right);
        break;
      case Step::kCollapseSpaces:
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
      if (i > piece_start && s.compare(i, replacement_.size(), replacement_) == 0) {
        fast::emit_word(model_, t, piece_start, i, word++, tokens);
        piece_start = i;
      }
      i += char_len_at(s, i);
    }
  }
  if (t.text.size() > piece_start) fast::emit_word(model_, t, piece_start, t.text.size(), word, tokens);
  fast::build_encoding(tokens, type_id, reserve_extra, out);
  return true;
}

}  // namespace wasmbed::tok
