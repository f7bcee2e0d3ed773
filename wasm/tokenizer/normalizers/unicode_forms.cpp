#include "tokenizer/normalizers/unicode_forms.h"

namespace wasmbed::tok {

void UnicodeNormalizer::normalize(NormalizedString& s) const {
  switch (form_) {
    case UnicodeForm::kNFC: s.nfc(); break;
    case UnicodeForm::kNFD: s.nfd(); break;
    case UnicodeForm::kNFKC: s.nfkc(); break;
    case UnicodeForm::kNFKD: s.nfkd(); break;
  }
}

}  // namespace wasmbed::tok
