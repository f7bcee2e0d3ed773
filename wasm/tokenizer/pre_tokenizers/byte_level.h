// HF ByteLevel pre-tokenizer (GPT-2): optional leading space, GPT-2 regex split, then every byte
// mapped to a printable unicode char. trim_offsets is applied by the ByteLevel post-processor.
#pragma once
#include <array>
#include <string>
#include <string_view>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

// GPT-2's bytes_to_unicode table: byte -> the UTF-8 of its stand-in char.
const std::array<std::string, 256>& byte_level_bytes_to_chars();
// Inverse: code point of a stand-in char -> byte, or -1 when `c` is not one.
int byte_level_char_to_byte(char32_t c);
// Replaces every byte of `s.get()` by its stand-in char (the bytes of one char: first replaces
// it, the others are insertions), as HF's ByteLevel pre-tokenizer/normalizer do.
void byte_level_transform(NormalizedString& s);
// The GPT-2 split regex HF uses.
extern const char* const kGpt2SplitPattern;

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
      : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  void pre_tokenize(PreTokenizedString& s) const override;
  bool add_prefix_space() const { return add_prefix_space_; }

 private:
  bool add_prefix_space_;
  bool use_regex_;
};

}  // namespace wasmbed::tok
