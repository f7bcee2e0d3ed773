#include "tokenizer/normalizers/precompiled.h"

#include <cstring>

#include "common/error.h"
#include "tokenizer/unicode.h"
#include "utf8proc.h"

namespace wasmbed::tok {

namespace {

// darts-clone DoubleArrayUnit accessors.
inline bool unit_has_leaf(uint32_t u) { return ((u >> 8) & 1) == 1; }
inline uint32_t unit_value(uint32_t u) { return u & ((1U << 31) - 1); }
inline uint32_t unit_label(uint32_t u) { return u & ((1U << 31) | 0xFF); }
inline uint32_t unit_offset(uint32_t u) { return (u >> 10) << ((u & (1U << 9)) >> 6); }

std::string base64_decode(std::string_view in) {
  static const auto table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(chars[i])] = i;
    return t;
  }();
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char ch : in) {
    if (ch == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) fail(ErrorCode::kParse, "tokenizer.json: precompiled_charsmap is not valid base64");
    const int v = table[static_cast<unsigned char>(ch)];
    if (v < 0) fail(ErrorCode::kParse, "tokenizer.json: precompiled_charsmap is not valid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (pad > 2) fail(ErrorCode::kParse, "tokenizer.json: precompiled_charsmap is not valid base64");
  return out;
}

}  // namespace

std::unique_ptr<Precompiled> Precompiled::from_bytes(std::string_view charsmap) {
  auto p = std::unique_ptr<Precompiled>(new Precompiled());
  if (charsmap.empty()) return p;  // no rules: identity
  if (charsmap.size() < 4) fail(ErrorCode::kParse, "precompiled_charsmap: truncated header");
  const auto* b = reinterpret_cast<const unsigned char*>(charsmap.data());
  const uint32_t trie_size = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  if (trie_size % 4 != 0 || trie_size > charsmap.size() - 4 || trie_size == 0)
    fail(ErrorCode::kParse, "precompiled_charsmap: trie size " + std::to_string(trie_size) + " does not fit the blob");
  p->trie_.resize(trie_size / 4);
  for (size_t i = 0; i < p->trie_.size(); ++i) {
    const unsigned char* q = b + 4 + i * 4;
    p->trie_[i] = q[0] | (q[1] << 8) | (q[2] << 16) | (static_cast<uint32_t>(q[3]) << 24);
  }
  p->normalized_.assign(charsmap.substr(4 + trie_size));
  // spm_precompiled rejects a replacement blob that is not UTF-8; so do we.
  if (!unicode::is_valid_utf8(p->normalized_)) fail(ErrorCode::kParse, "precompiled_charsmap: replacement strings are not valid UTF-8");
  return p;
}

std::unique_ptr<Precompiled> Precompiled::from_base64(std::string_view b64) { return from_bytes(base64_decode(b64)); }

size_t Precompiled::common_prefix_search(std::string_view key, uint32_t* values, size_t* lengths, size_t max,
                                         bool stop_at_nul) const {
  if (trie_.empty()) return 0;
  size_t found = 0;
  size_t node_pos = 0;
  uint32_t unit = trie_[0];
  node_pos ^= unit_offset(unit);
  for (size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (stop_at_nul && c == 0) break;
    node_pos ^= c;
    // Bounds checks keep a corrupt charsmap from reading out of the array (darts trusts it).
    if (node_pos >= trie_.size()) return found;
    unit = trie_[node_pos];
    if (unit_label(unit) != c) return found;
    node_pos ^= unit_offset(unit);
    if (node_pos >= trie_.size()) return found;
    if (unit_has_leaf(unit)) {
      if (found < max) {
        values[found] = unit_value(trie_[node_pos]);
        if (lengths) lengths[found] = i + 1;
      }
      ++found;
    }
  }
  return found;
}

Precompiled::Effect Precompiled::char_effect(std::string_view ch) const {
  if (trie_.empty()) return Effect::kNever;
  size_t node_pos = unit_offset(trie_[0]);
  for (const char b : ch) {
    const auto c = static_cast<unsigned char>(b);
    if (c == 0) return Effect::kMay;  // transform() stops at NUL: not worth reasoning about
    node_pos ^= c;
    if (node_pos >= trie_.size()) return Effect::kNever;
    const uint32_t unit = trie_[node_pos];
    if (unit_label(unit) != c) return Effect::kNever;  // no key continues with this byte
    node_pos ^= unit_offset(unit);
    if (node_pos >= trie_.size() || unit_has_leaf(unit)) return Effect::kMay;
  }
  return Effect::kInCluster;  // only longer keys start with the whole char
}

std::string_view Precompiled::entry(uint32_t index) const {
  if (index >= normalized_.size()) return {};
  const char* start = normalized_.data() + index;
  const void* nul = std::memchr(start, 0, normalized_.size() - index);
  const size_t len = nul ? static_cast<size_t>(static_cast<const char*>(nul) - start) : normalized_.size() - index;
  return {start, len};
}

std::optional<std::string_view> Precompiled::transform(std::string_view chunk) const {
  uint32_t value;
  // spm_precompiled takes the first (shortest) prefix hit and stops at a NUL byte.
  if (common_prefix_search(chunk, &value, nullptr, 1, true) == 0) return std::nullopt;
  return entry(value);
}

std::pair<std::string, size_t> Precompiled::normalize_prefix(std::string_view input) const {
  if (input.empty()) return {std::string(), 0};
  constexpr size_t kMaxResults = 32;
  uint32_t values[kMaxResults];
  size_t lengths[kMaxResults];
  const size_t n = std::min(common_prefix_search(input, values, lengths, kMaxResults, false), kMaxResults);
  size_t longest_length = 0;
  uint32_t longest_value = 0;
  for (size_t k = 0; k < n; ++k) {
    if (longest_length == 0 || lengths[k] > longest_length) {
      longest_length = lengths[k];
      longest_value = values[k];
    }
  }
  if (longest_length == 0) {
    size_t len;
    const char32_t c = unicode::decode(input, 0, len);
    // sentencepiece: a malformed byte becomes U+FFFD and consumes exactly one byte.
    if (c == unicode::kReplacementChar && !(len == 3 && input.compare(0, 3, "\xEF\xBF\xBD") == 0))
      return {"\xEF\xBF\xBD", 1};
    return {std::string(input.substr(0, len)), len};
  }
  return {std::string(entry(longest_value)), longest_length};
}

void Precompiled::normalize(NormalizedString& s) const {
  if (trie_.empty()) return;
  const std::string& text = s.get();
  std::vector<CharChange> dest;
  dest.reserve(text.size());
  bool modified = false;

  // HF tokenizers' `replace` helper: the new chars replace the old ones one-to-one (change 0);
  // extra new chars become insertions (the last `diff` entries get 1); fewer new chars fold the
  // removal into the LAST transformation pushed so far — which is the previous char's when
  // `norm` is empty (e.g. a dropped control char), keeping later alignments in step.
  const auto push_replacement = [&](std::string_view norm, int old_chars) {
    int new_chars = 0;
    size_t j = 0;
    while (j < norm.size()) {
      size_t len;
      dest.push_back({unicode::decode(norm, j, len), 0});
      j += len;
      ++new_chars;
    }
    const int diff = new_chars - old_chars;
    if (diff > 0) {
      for (int k = 0; k < diff; ++k) dest[dest.size() - 1 - static_cast<size_t>(k)].change = 1;
    } else if (diff < 0 && !dest.empty()) {
      dest.back().change += diff;
    }
  };

  size_t g_start = 0;
  utf8proc_int32_t state = 0;  // grapheme-break state spans clusters (regional indicator pairs)
  while (g_start < text.size()) {
    // Find the extended grapheme cluster [g_start, g_end) (UAX #29, as unicode-segmentation).
    size_t len;
    char32_t prev = unicode::decode(text, g_start, len);
    size_t g_end = g_start + len;
    int n_chars = 1;
    while (g_end < text.size()) {
      const char32_t c = unicode::decode(text, g_end, len);
      if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev), static_cast<utf8proc_int32_t>(c), &state))
        break;
      prev = c;
      g_end += len;
      ++n_chars;
    }
    const std::string_view grapheme(text.data() + g_start, g_end - g_start);
    bool done = false;
    if (grapheme.size() < 6) {
      if (auto norm = transform(grapheme)) {
        modified = true;
        push_replacement(*norm, n_chars);
        done = true;
      }
    }
    if (!done) {
      size_t i = 0;
      while (i < grapheme.size()) {
        const char32_t c = unicode::decode(grapheme, i, len);
        const std::string_view part = grapheme.substr(i, len);
        if (auto norm = transform(part)) {
          modified = true;
          push_replacement(*norm, 1);
        } else {
          dest.push_back({c, 0});
        }
        i += len;
      }
    }
    g_start = g_end;
  }
  if (modified) s.transform(dest, 0);
}

}  // namespace wasmbed::tok
