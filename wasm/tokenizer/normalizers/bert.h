// HF BertNormalizer (normalizers/bert.rs): clean_text, handle_chinese_chars, strip_accents,
// lowercase — in that order.
#pragma once
#include <optional>

#include "tokenizer/normalizers/normalizer.h"

namespace wasmbed::tok {

class BertNormalizer : public Normalizer {
 public:
  // strip_accents = nullopt means "follow lowercase" (HF: JSON null).
  BertNormalizer(bool clean_text, bool handle_chinese_chars, std::optional<bool> strip_accents, bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {}
  void normalize(NormalizedString& s) const override;
  bool clean_text() const { return clean_text_; }
  bool handle_chinese_chars() const { return handle_chinese_chars_; }
  // The effective setting (JSON null follows lowercase).
  bool strip_accents() const { return strip_accents_.value_or(lowercase_); }
  bool lowercase() const { return lowercase_; }

 private:
  bool clean_text_;
  bool handle_chinese_chars_;
  std::optional<bool> strip_accents_;
  bool lowercase_;
};

}  // namespace wasmbed::tok
