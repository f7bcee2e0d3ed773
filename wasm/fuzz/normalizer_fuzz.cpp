// libFuzzer target: random bytes through every normalizer and pre-tokenizer (and a Precompiled
// charsmap made of random bytes). Checks: no crash/UB (ASan/UBSan), the normalized text is valid
// UTF-8, every alignment and every final token offset lies inside the input.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"
#include "tokenizer/unicode.h"

namespace tok = wasmbed::tok;
using nlohmann::json;

namespace {

struct Pipelines {
  std::vector<std::unique_ptr<tok::Normalizer>> normalizers;
  std::vector<std::unique_ptr<tok::PreTokenizer>> pre_tokenizers;
};

const Pipelines& pipelines() {
  static const Pipelines p = [] {
    Pipelines p;
    const json normalizers = json::parse(R"([
      {"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
      {"type":"BertNormalizer","clean_text":false,"handle_chinese_chars":false,"strip_accents":true,"lowercase":false},
      {"type":"NFC"},{"type":"NFD"},{"type":"NFKC"},{"type":"NFKD"},{"type":"Lowercase"},{"type":"Nmt"},
      {"type":"Strip","strip_left":true,"strip_right":true},{"type":"StripAccents"},{"type":"ByteLevel"},
      {"type":"Replace","pattern":{"Regex":" {2,}"},"content":"\u2581"},
      {"type":"Replace","pattern":{"Regex":"a*"},"content":"-"},
      {"type":"Replace","pattern":{"String":"ab"},"content":""},
      {"type":"Sequence","normalizers":[{"type":"NFKD"},{"type":"StripAccents"},{"type":"Prepend","prepend":"\u2581"},
                                        {"type":"Strip","strip_left":false,"strip_right":true}]}
    ])");
    for (const auto& j : normalizers) p.normalizers.push_back(tok::normalizer_from_json(j));
    const json pre = json::parse(R"([
      {"type":"BertPreTokenizer"},{"type":"Whitespace"},{"type":"WhitespaceSplit"},
      {"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true},
      {"type":"Metaspace","replacement":"\u2581","prepend_scheme":"first","split":false},
      {"type":"Punctuation","behavior":"MergedWithNext"},{"type":"Digits","individual_digits":true},
      {"type":"Split","pattern":{"Regex":"\\s+(?=\\S)|x*"},"behavior":"MergedWithPrevious","invert":true},
      {"type":"Split","pattern":{"String":"ab"},"behavior":"Contiguous","invert":false},
      {"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
      {"type":"CharDelimiterSplit","delimiter":"a"}
    ])");
    for (const auto& j : pre) p.pre_tokenizers.push_back(tok::pre_tokenizer_from_json(j));
    return p;
  }();
  return p;
}

void check(bool ok) {
  if (!ok) std::abort();
}

void check_normalized(const tok::NormalizedString& n, size_t input_len) {
  check(tok::unicode::is_valid_utf8(n.get()));
  check(n.alignments().size() == n.len());
  for (const auto& a : n.alignments()) check(a.first <= a.second && a.second + n.original_shift() <= input_len);
}

void run_pipeline(const tok::Normalizer* norm, const tok::PreTokenizer& pre, const std::string& text) {
  tok::NormalizedString n(text);
  if (norm) norm->normalize(n);
  check_normalized(n, text.size());
  tok::PreTokenizedString pts(std::move(n));
  pre.pre_tokenize(pts);
  for (const auto& s : pts.splits()) check_normalized(s.normalized, text.size());
  // One token per split covering it entirely, then map back to the input.
  pts.tokenize([](const tok::NormalizedString& piece) {
    return std::vector<tok::Token>{tok::Token{0, piece.get(), {0, piece.len()}}};
  });
  for (const auto& t : pts.into_tokens()) check(t.offsets.first <= t.offsets.second && t.offsets.second <= text.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto& p = pipelines();
  // Every normalizer alone, then each paired with one pre-tokenizer chosen by the input.
  for (const auto& n : p.normalizers) {
    tok::NormalizedString s(input);
    n->normalize(s);
    check_normalized(s, input.size());
  }
  const size_t pick = size ? data[0] : 0;
  for (size_t i = 0; i < p.pre_tokenizers.size(); ++i) {
    const auto& norm = p.normalizers[(pick + i) % p.normalizers.size()];
    run_pipeline(i % 2 ? norm.get() : nullptr, *p.pre_tokenizers[i], input);
  }
  // The input as a (corrupt) charsmap: must be rejected or work, never read out of bounds.
  try {
    auto pc = tok::Precompiled::from_bytes(input);
    tok::NormalizedString s(input.substr(0, 64));
    pc->normalize(s);
    check_normalized(s, std::min<size_t>(input.size(), 64));
    if (!input.empty()) pc->normalize_prefix(input);
  } catch (const wasmbed::Error&) {
  }
  return 0;
}
