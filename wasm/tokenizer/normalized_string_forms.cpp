// NormalizedString::nfd/nfkd/nfc/nfkc. utf8proc gives the normalized text; the alignments are
// rebuilt per "normalization segment" — a run that starts at a char nothing before it can
// interact with (a starter that never composes as a second char) — so each output char keeps
// pointing at the original chars it came from, as HF's unicode_normalization_alignments does.
#include <cstdlib>
#include <vector>

#include "common/error.h"
#include "tokenizer/normalized_string.h"
#include "tokenizer/unicode.h"
#include "utf8proc.h"

namespace wasmbed::tok {

namespace {

bool is_hangul_vowel_or_trailing(char32_t c) { return (c >= 0x1161 && c <= 0x1175) || (c >= 0x11A8 && c <= 0x11C2); }

bool can_compose_as_second(const utf8proc_property_t* p) { return p->comb_index != UINT16_MAX && p->comb_index >= 0x8000; }

// True when normalization can never combine or reorder `c` with anything before it.
bool starts_segment(char32_t c, bool compat) {
  if (c < 0x80) return true;
  if (is_hangul_vowel_or_trailing(c)) return false;
  const auto* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
  if (p->combining_class != 0 || can_compose_as_second(p)) return false;
  // A decomposition may begin with a non-starter or a char that composes with its predecessor.
  utf8proc_int32_t buf[32];
  int last_boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(c), buf, 32,
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0)), &last_boundclass);
  if (n <= 0 || n > 32) return true;
  if (buf[0] == static_cast<utf8proc_int32_t>(c)) return true;
  const auto* first = utf8proc_get_property(buf[0]);
  return first->combining_class == 0 && !can_compose_as_second(first) &&
         !is_hangul_vowel_or_trailing(static_cast<char32_t>(buf[0]));
}

// Normalizes one segment into code points. utf8proc_map is avoided on purpose: its sizing pass
// does pointer arithmetic on a NULL buffer (UB that UBSan reports); we always pass a real buffer.
std::vector<utf8proc_int32_t> utf8proc_normalize(std::string_view s, utf8proc_option_t options) {
  std::vector<utf8proc_int32_t> buf(s.size() * 4 + 8);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const utf8proc_ssize_t n =
        utf8proc_decompose(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
                           buf.data(), static_cast<utf8proc_ssize_t>(buf.size()), options);
    if (n < 0) fail(ErrorCode::kInternal, std::string("unicode normalization failed: ") + utf8proc_errmsg(n));
    if (static_cast<size_t>(n) > buf.size()) {
      buf.resize(static_cast<size_t>(n));
      continue;
    }
    // Canonical ordering is done by decompose; composition (NFC/NFKC) happens in place here.
    const utf8proc_ssize_t m = utf8proc_normalize_utf32(buf.data(), n, options);
    if (m < 0) fail(ErrorCode::kInternal, std::string("unicode normalization failed: ") + utf8proc_errmsg(m));
    buf.resize(static_cast<size_t>(m));
    return buf;
  }
  fail(ErrorCode::kInternal, "unicode normalization: buffer sizing failed");
}

void normalize_form(NormalizedString& ns, bool compose, bool compat) {
  const std::string& text = ns.get();
  bool ascii = true;
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii) return;  // ASCII is invariant under every normalization form
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | (compose ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE) |
                                                      (compat ? UTF8PROC_COMPAT : 0));
  std::vector<CharChange> dest;
  dest.reserve(text.size());
  bool changed = false;
  size_t i = 0;
  while (i < text.size()) {
    // One segment: [i, j).
    size_t len;
    unicode::decode(text, i, len);
    size_t j = i + len;
    size_t n_in = 1;
    while (j < text.size()) {
      const char32_t c = unicode::decode(text, j, len);
      if (starts_segment(c, compat)) break;
      j += len;
      ++n_in;
    }
    const std::string_view seg(text.data() + i, j - i);
    std::vector<char32_t> outs;
    if (n_in == 1 && static_cast<unsigned char>(seg[0]) < 0x80) {
      outs.push_back(static_cast<unsigned char>(seg[0]));
    } else {
      for (utf8proc_int32_t c : utf8proc_normalize(seg, options)) outs.push_back(static_cast<char32_t>(c));
    }
    // Output char k replaces input char k; extra output chars are insertions, and when the
    // segment shrank (composition) the first char absorbs the removed ones.
    size_t k = 0;
    size_t n_out_bytes = 0;
    for (char32_t c : outs) n_out_bytes += unicode::utf8_len(c);
    if (!changed) {
      // Compare with the input segment char by char.
      size_t p = 0, idx = 0;
      changed = n_out_bytes != seg.size();
      while (!changed && p < seg.size() && idx < outs.size()) {
        changed = unicode::decode(seg, p, len) != outs[idx];
        p += len;
        ++idx;
      }
    }
    for (k = 0; k < outs.size(); ++k) {
      int change = 0;
      if (k >= n_in) change = 1;
      if (k == 0 && outs.size() < n_in) change = -static_cast<int>(n_in - outs.size());
      dest.push_back({outs[k], change});
    }
    i = j;
  }
  if (changed) ns.transform(dest, 0);
}

}  // namespace

NormalizedString& NormalizedString::nfd() {
  normalize_form(*this, false, false);
  return *this;
}
NormalizedString& NormalizedString::nfkd() {
  normalize_form(*this, false, true);
  return *this;
}
NormalizedString& NormalizedString::nfc() {
  normalize_form(*this, true, false);
  return *this;
}
NormalizedString& NormalizedString::nfkc() {
  normalize_form(*this, true, true);
  return *this;
}

}  // namespace wasmbed::tok
