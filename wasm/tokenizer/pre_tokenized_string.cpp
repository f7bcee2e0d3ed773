#include "tokenizer/pre_tokenized_string.h"

#include "common/error.h"

namespace wasmbed::tok {

PreTokenizedString::PreTokenizedString(std::string_view text) : PreTokenizedString(NormalizedString(text)) {}

PreTokenizedString::PreTokenizedString(NormalizedString normalized) {
  // Like HF: the initial split is kept even when empty (so an empty input yields no tokens).
  splits_.push_back(Split{std::move(normalized), std::nullopt});
}

void PreTokenizedString::split(
    const std::function<std::vector<NormalizedString>(size_t index, NormalizedString&& piece)>& fn) {
  std::vector<Split> next;
  next.reserve(splits_.size());
  for (size_t i = 0; i < splits_.size(); ++i) {
    Split& s = splits_[i];
    if (s.tokens) {
      next.push_back(std::move(s));
      continue;
    }
    for (NormalizedString& piece : fn(i, std::move(s.normalized))) {
      if (!piece.empty()) next.push_back(Split{std::move(piece), std::nullopt});
    }
  }
  splits_ = std::move(next);
}

void PreTokenizedString::normalize(const std::function<void(NormalizedString&)>& fn) {
  for (Split& s : splits_)
    if (!s.tokens) fn(s.normalized);
}

void PreTokenizedString::tokenize(const std::function<std::vector<Token>(const NormalizedString&)>& fn) {
  for (Split& s : splits_)
    if (!s.tokens) s.tokens = fn(s.normalized);
}

std::vector<Token> PreTokenizedString::into_tokens(std::vector<uint32_t>* word_ids) const {
  std::vector<Token> out;
  if (word_ids) word_ids->clear();
  for (size_t idx = 0; idx < splits_.size(); ++idx) {
    const Split& s = splits_[idx];
    if (!s.tokens) fail(ErrorCode::kInternal, "PreTokenizedString: split has not been tokenized");
    const size_t shift = s.normalized.offsets_original().first;
    for (const Token& t : *s.tokens) {
      Token mapped = t;
      // HF into_encoding: convert the normalized range, keep the raw offsets if that fails.
      if (auto r = s.normalized.original_range(t.offsets))
        mapped.offsets = {shift + r->first, shift + r->second};
      out.push_back(std::move(mapped));
      if (word_ids) word_ids->push_back(static_cast<uint32_t>(idx));
    }
  }
  return out;
}

std::vector<std::pair<std::string, Range>> PreTokenizedString::get_splits(bool original_offsets) const {
  std::vector<std::pair<std::string, Range>> out;
  size_t offset = 0;
  for (const Split& s : splits_) {
    Range r;
    if (original_offsets) {
      r = s.normalized.offsets_original();
    } else {
      r = {offset, offset + s.normalized.len()};
      offset += s.normalized.len();
    }
    out.emplace_back(s.normalized.get(), r);
  }
  return out;
}

}  // namespace wasmbed::tok
