// UTF-8 decoding/encoding and the character classes HF tokenizers uses, defined exactly as the
// Rust std / HF source defines them (comments name the Rust definition mirrored).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wasmbed::tok::unicode {

constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point starting at s[pos]. Sets `len` to the number of bytes consumed.
// Invalid input yields U+FFFD and consumes one "maximal subpart" (WHATWG Encoding / Rust
// String::from_utf8_lossy / JS TextDecoder semantics), so every byte is consumed exactly once.
char32_t decode(std::string_view s, size_t pos, size_t& len);

// Appends the UTF-8 encoding of `c` (surrogates and values > 0x10FFFF become U+FFFD).
void append_utf8(std::string& out, char32_t c);
std::string to_utf8(char32_t c);
// Number of UTF-8 bytes `c` encodes to.
size_t utf8_len(char32_t c);

// Length of the UTF-8 char whose lead byte is s[i], from the lead byte alone (for text already
// known to be valid UTF-8), clamped to the end of `s`.
inline size_t char_len_at(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return n < s.size() - i ? n : s.size() - i;
}

// SentencePiece's name of a byte-fallback piece: "<0xAB>".
inline std::string byte_fallback_piece(unsigned char b) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string{'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
}

// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);
// Replaces every invalid sequence with U+FFFD (maximal-subpart rule, as decode()).
std::string sanitize_utf8(std::string_view s);

// Rust char::is_whitespace (Unicode White_Space property).
bool is_whitespace(char32_t c);
// Rust char::is_control (general category Cc).
bool is_control(char32_t c);
// Rust char::is_numeric (Nd, Nl, No).
bool is_numeric(char32_t c);
// HF's is_punctuation: char::is_ascii_punctuation || P* of the unicode_categories crate.
bool is_punctuation(char32_t c);
// HF BertNormalizer is_whitespace: \t \n \r or Rust char::is_whitespace.
bool is_bert_whitespace(char32_t c);
// HF BertNormalizer is_control: not \t \n \r, and general category Cc Cf Cs Co (not Cn, as HF).
bool is_bert_control(char32_t c);
// HF's is_mark_nonspacing (unicode_categories crate, its Unicode version): what
// BertNormalizer(strip_accents) removes after NFD.
bool is_mark_nonspacing(char32_t c);
// unicode_normalization's is_combining_mark (every M* of its Unicode version): what the
// StripAccents normalizer removes.
bool is_combining_mark(char32_t c);
// Rust `regex` crate's Unicode `\w` (UTS#18 word: Alphabetic, M*, Nd, Pc, Join_Control), used by
// HF's Whitespace pre-tokenizer, which runs on `regex`, not oniguruma.
bool is_rust_regex_word_char(char32_t c);
// BertNormalizer's CJK block test (the ranges listed in HF normalizers/bert.rs is_chinese_char).
bool is_chinese_char(char32_t c);

// Rust char::to_lowercase (full mapping, may give several chars), appended to `out`.
void append_lowercase(std::string& out, char32_t c);

}  // namespace wasmbed::tok::unicode
