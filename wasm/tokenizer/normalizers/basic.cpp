#include "tokenizer/normalizers/basic.h"

#include "tokenizer/pre_tokenizers/byte_level.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

void StripNormalizer::normalize(NormalizedString& s) const {
  if (left_ && right_)
    s.strip();
  else if (left_)
    s.lstrip();
  else if (right_)
    s.rstrip();
}

void StripAccentsNormalizer::normalize(NormalizedString& s) const {
  s.filter([](char32_t c) { return !unicode::is_combining_mark(c); });
}

std::unique_ptr<ReplaceNormalizer> ReplaceNormalizer::literal(std::string pattern, std::string content) {
  return std::unique_ptr<ReplaceNormalizer>(new ReplaceNormalizer(std::move(pattern), nullptr, std::move(content)));
}

std::unique_ptr<ReplaceNormalizer> ReplaceNormalizer::regex(std::string_view pattern, std::string content) {
  return std::unique_ptr<ReplaceNormalizer>(
      new ReplaceNormalizer(std::string(), std::make_unique<Regex>(pattern), std::move(content)));
}

void ReplaceNormalizer::normalize(NormalizedString& s) const {
  if (regex_)
    s.replace(*regex_, content_);
  else
    s.replace(literal_, content_);
}

void PrependNormalizer::normalize(NormalizedString& s) const {
  if (!s.empty()) s.prepend(prepend_);
}

void NmtNormalizer::normalize(NormalizedString& s) const {
  s.filter([](char32_t c) {
    return !((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F);
  });
  s.map([](char32_t c) -> char32_t {
    switch (c) {
      case 0x09: case 0x0A: case 0x0C: case 0x0D: case 0x1680: case 0x2028: case 0x2029: case 0x2581:
      case 0xFEFF: case 0xFFFD:
        return U' ';
      default:
        return (c >= 0x200B && c <= 0x200F) ? U' ' : c;
    }
  });
}

void ByteLevelNormalizer::normalize(NormalizedString& s) const { byte_level_transform(s); }

}  // namespace wasmbed::tok
