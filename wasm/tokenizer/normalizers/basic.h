// The small HF normalizers: Lowercase, Strip, StripAccents, Replace, Prepend, Sequence.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/regex.h"

namespace wasmbed::tok {

class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { s.lowercase(); }
};

class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override;
  bool left() const { return left_; }
  bool right() const { return right_; }

 private:
  bool left_;
  bool right_;
};

// Removes combining marks (HF uses is_combining_mark: Mn, Mc, Me); meaningful after NFD/NFKD.
class StripAccentsNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

// Replaces a literal string or a regex (pattern {"String": ...} / {"Regex": ...}) by `content`.
class ReplaceNormalizer : public Normalizer {
 public:
  static std::unique_ptr<ReplaceNormalizer> literal(std::string pattern, std::string content);
  static std::unique_ptr<ReplaceNormalizer> regex(std::string_view pattern, std::string content);
  void normalize(NormalizedString& s) const override;
  // The regex pattern ("" for a literal pattern) and the replacement.
  std::string_view regex_pattern() const { return regex_ ? std::string_view(regex_->pattern()) : std::string_view(); }
  const std::string& content() const { return content_; }

 private:
  ReplaceNormalizer(std::string literal, std::unique_ptr<Regex> regex, std::string content)
      : literal_(std::move(literal)), regex_(std::move(regex)), content_(std::move(content)) {}
  std::string literal_;
  std::unique_ptr<Regex> regex_;  // set for Regex patterns
  std::string content_;
};

// Prepends `prepend` to non-empty strings (HF Prepend).
class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prepend) : prepend_(std::move(prepend)) {}
  void normalize(NormalizedString& s) const override;

 private:
  std::string prepend_;
};

// HF Nmt: drops ASCII control chars and maps a few separators (and U+FFFD) to a space.
class NmtNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

// HF normalizers::ByteLevel: every byte becomes its GPT-2 stand-in char.
class ByteLevelNormalizer : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override;
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> normalizers)
      : normalizers_(std::move(normalizers)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& n : normalizers_) n->normalize(s);
  }
  const std::vector<std::unique_ptr<Normalizer>>& normalizers() const { return normalizers_; }

 private:
  std::vector<std::unique_ptr<Normalizer>> normalizers_;
};

}  // namespace wasmbed::tok
