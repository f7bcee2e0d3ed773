#include "tokenizer/pre_tokenizers/byte_level.h"

#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

const char* const kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

// GPT-2 bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 bytes to
// U+0100.. in byte order.
const std::array<char32_t, 256>& byte_to_codepoint() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      t[b] = printable ? static_cast<char32_t>(b) : 256 + n++;
    }
    return t;
  }();
  return table;
}

}  // namespace

const std::array<std::string, 256>& byte_level_bytes_to_chars() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    for (int b = 0; b < 256; ++b) t[b] = unicode::to_utf8(byte_to_codepoint()[b]);
    return t;
  }();
  return table;
}

int byte_level_char_to_byte(char32_t c) {
  if (c < 256) {
    const auto& t = byte_to_codepoint();
    return t[c] == c ? static_cast<int>(c) : -1;
  }
  if (c < 256 + 68) {
    const auto& t = byte_to_codepoint();
    for (int b = 0; b < 256; ++b)
      if (t[b] == c) return b;
  }
  return -1;
}

void byte_level_transform(NormalizedString& s) {
  const std::string& text = s.get();
  std::vector<CharChange> dest;
  dest.reserve(text.size());
  const auto& table = byte_to_codepoint();
  size_t i = 0;
  while (i < text.size()) {
    size_t len;
    unicode::decode(text, i, len);
    for (size_t k = 0; k < len; ++k) dest.push_back({table[static_cast<unsigned char>(text[i + k])], k > 0 ? 1 : 0});
    i += len;
  }
  s.transform(dest, 0);
}

void ByteLevelPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  static const Regex re(kGpt2SplitPattern);
  s.split([&](size_t, NormalizedString&& n) -> std::vector<NormalizedString> {
    if (add_prefix_space_ && n.get().compare(0, 1, " ") != 0) n.prepend(" ");
    if (!use_regex_) return {std::move(n)};
    return n.split(find_matches_regex(n.get(), re), SplitDelimiterBehavior::kIsolated);
  });
  s.normalize(byte_level_transform);
}

}  // namespace wasmbed::tok
