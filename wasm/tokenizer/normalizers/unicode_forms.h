// NFC / NFD / NFKC / NFKD normalizers (utf8proc), HF normalizers/unicode.rs.
#pragma once
#include "tokenizer/normalizers/normalizer.h"

namespace wasmbed::tok {

enum class UnicodeForm { kNFC, kNFD, kNFKC, kNFKD };

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(UnicodeForm form) : form_(form) {}
  void normalize(NormalizedString& s) const override;

 private:
  UnicodeForm form_;
};

}  // namespace wasmbed::tok
