#include "tokenizer/sentencepiece_normalizer.h"

#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

size_t count_chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

SentencePieceNormalizer::SentencePieceNormalizer(std::unique_ptr<Precompiled> charsmap,
                                                 const std::vector<std::string>& user_defined,
                                                 SentencePieceNormalizerOptions options)
    : charsmap_(std::move(charsmap)), options_(options) {
  for (size_t i = 0; i < user_defined.size(); ++i) user_defined_.insert(user_defined[i], static_cast<int32_t>(i));
  user_defined_.freeze();
}

std::pair<std::string, size_t> SentencePieceNormalizer::normalize_prefix(std::string_view input) const {
  size_t user_len = 0;
  user_defined_.common_prefixes(input, 0, [&](size_t len, int32_t) {
    user_len = len;
    return true;
  });
  if (user_len > 0) return {std::string(input.substr(0, user_len)), user_len};
  if (charsmap_) return charsmap_->normalize_prefix(input);
  const size_t len = unicode::char_len_at(input, 0);
  return {std::string(input.substr(0, len)), len};
}

void SentencePieceNormalizer::normalize(NormalizedString& s) const {
  const std::string in = s.get();
  if (in.empty()) return;
  const std::string ws = options_.escape_whitespaces ? "\xE2\x96\x81" : " ";
  struct Chunk {
    std::string out;
    size_t in_chars;
  };
  std::vector<Chunk> chunks;
  size_t pos = 0;
  size_t leading_removed = 0;
  if (options_.remove_extra_whitespaces) {
    while (pos < in.size()) {
      const auto p = normalize_prefix(std::string_view(in).substr(pos));
      if (p.first != " ") break;
      leading_removed += count_chars(std::string_view(in).substr(pos, p.second));
      pos += p.second;
    }
  }
  if (pos >= in.size()) {
    s.clear();
    return;
  }
  if (!options_.treat_whitespace_as_suffix && options_.add_dummy_prefix) chunks.push_back(Chunk{ws, 0});
  bool prev_space = options_.remove_extra_whitespaces;
  while (pos < in.size()) {
    const auto p = normalize_prefix(std::string_view(in).substr(pos));
    std::string_view sp = p.first;
    while (prev_space && !sp.empty() && sp.front() == ' ') sp.remove_prefix(1);
    std::string out;
    for (char c : sp) {
      if (options_.escape_whitespaces && c == ' ') out += ws;
      else out += c;
    }
    if (!sp.empty()) prev_space = sp.back() == ' ';
    chunks.push_back(Chunk{std::move(out), count_chars(std::string_view(in).substr(pos, p.second))});
    pos += p.second;
    if (!options_.remove_extra_whitespaces) prev_space = false;
  }
  if (options_.remove_extra_whitespaces) {
    // Drop trailing whitespace symbols, across chunks.
    for (size_t i = chunks.size(); i-- > 0;) {
      while (ends_with(chunks[i].out, ws)) chunks[i].out.resize(chunks[i].out.size() - ws.size());
      if (!chunks[i].out.empty()) break;
    }
  }
  if (options_.treat_whitespace_as_suffix && options_.add_dummy_prefix) chunks.push_back(Chunk{ws, 0});

  // Express the chunks as HF-style per-char changes (as HF's Precompiled normalizer does):
  // extra output chars are insertions (+1), fewer output chars remove input chars (negative
  // change on the previous output char, or initial_offset before any output).
  std::vector<CharChange> dest;
  size_t initial = leading_removed;
  for (const Chunk& c : chunks) {
    size_t m = 0;
    for (size_t p = 0; p < c.out.size();) {
      size_t len = 0;
      dest.push_back(CharChange{unicode::decode(c.out, p, len), 0});
      p += len;
      ++m;
    }
    const long diff = static_cast<long>(m) - static_cast<long>(c.in_chars);
    if (diff > 0) {
      for (long k = 0; k < diff; ++k) dest[dest.size() - 1 - k].change = 1;
    } else if (diff < 0) {
      if (dest.empty()) initial += static_cast<size_t>(-diff);
      else dest.back().change += static_cast<int>(diff);
    }
  }
  if (dest.empty()) {
    s.clear();
    return;
  }
  s.transform(dest, initial);
}

}  // namespace wasmbed::tok
