// libFuzzer target for the tokenizer entry points: tokenizer.json parsing (the fuzzed bytes ARE
// the JSON), SentencePiece .model parsing, and encode / encode_pair / decode of fuzzed text on
// fixed small tokenizers covering WordPiece, Unigram and byte-level BPE with added tokens,
// truncation and padding. Only wasmbed::Error may escape the library; anything else (crash,
// sanitizer report, other exception) is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "tokenizer/tokenizer.h"

using namespace wasmbed::tok;

namespace {

const char* kWordPiece = R"({
  "truncation": {"max_length": 24, "strategy": "LongestFirst", "stride": 2, "direction": "Right"},
  "padding": {"strategy": {"Fixed": 16}, "direction": "Left", "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
  "added_tokens": [{"id": 0, "content": "[PAD]", "special": true, "normalized": false},
                   {"id": 1, "content": "[UNK]", "special": true, "normalized": false},
                   {"id": 2, "content": "[CLS]", "special": true, "normalized": false},
                   {"id": 3, "content": "[SEP]", "special": true, "normalized": false},
                   {"id": 4, "content": "[MASK]", "special": true, "lstrip": true, "rstrip": true, "single_word": true}],
  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
    "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
             {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
    "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
  "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 20,
    "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "a": 5, "b": 6, "##a": 7, "##b": 8, "ab": 9,
              "##ab": 10, "가": 11, "##나": 12, "при": 13, "##вет": 14, ".": 15, "!": 16, "中": 17}}})";

const char* kUnigram = R"({
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false},
                   {"id": 1, "content": "<s>", "special": true, "normalized": false},
                   {"id": 2, "content": "</s>", "special": true, "normalized": false}],
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}, {"type": "Strip", "left": false, "right": true}]},
  "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
  "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 1], "trim_offsets": true, "add_prefix_space": true},
  "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
  "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": true, "vocab": [["<unk>", 0], ["<s>", 0], ["</s>", 0],
    ["\u2581", -2], ["a", -3], ["b", -3], ["ab", -2.5], ["\u2581ab", -2], ["<0xC3>", -5], ["<0xA9>", -5], ["<0x41>", -5], ["가", -3], ["\u2581가", -2.5]]}})";

const char* kBpe = R"({
  "added_tokens": [{"id": 0, "content": "<s>", "special": true, "normalized": true},
                   {"id": 1, "content": "</s>", "special": true, "normalized": true},
                   {"id": 10, "content": "<mask>", "special": true, "lstrip": true, "normalized": false}],
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
  "post_processor": {"type": "ByteLevel", "trim_offsets": true, "add_prefix_space": true},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "unk_token": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
    "vocab": {"<s>": 0, "</s>": 1, "a": 2, "b": 3, "\u0120": 4, "ab": 5, "\u0120a": 6, "\u0120ab": 7, "c": 8, "abc": 9, "<mask>": 10},
    "merges": ["a b", "\u0120 a", "\u0120a b", "ab c"]}})";

std::vector<std::unique_ptr<Tokenizer>>& fixed() {
  static std::vector<std::unique_ptr<Tokenizer>> t = [] {
    std::vector<std::unique_ptr<Tokenizer>> v;
    for (const char* j : {kWordPiece, kUnigram, kBpe}) v.push_back(Tokenizer::from_json(j));
    return v;
  }();
  return t;
}

void exercise(const Tokenizer& tok, std::string_view a, std::string_view b, uint8_t knobs) {
  EncodeOptions o;
  o.add_special_tokens = knobs & 1;
  o.max_length = (knobs >> 1) & 7 ? ((knobs >> 1) & 7) * 3 : 0;
  o.stride = (knobs >> 4) & 1;
  o.strategy = static_cast<TruncationStrategy>(((knobs >> 5) & 3) % 3);
  o.direction = (knobs & 0x80) ? TruncationDirection::kLeft : TruncationDirection::kRight;
  try {
    Encoding e = tok.encode(a, o);
    (void)tok.decode(e.ids, knobs & 2);
    for (const Encoding& w : e.overflowing) (void)tok.decode(w.ids, false);
  } catch (const wasmbed::Error&) {
  }
  try {
    Encoding p = tok.encode_pair(a, b, o);
    (void)tok.decode(p.ids, true);
  } catch (const wasmbed::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode % 4) {
    case 0: {  // the bytes are a tokenizer.json, read whole and in chunks (as the WASM build does)
      std::unique_ptr<Tokenizer> tok;
      std::string error;
      try {
        tok = Tokenizer::from_json(rest);
      } catch (const wasmbed::Error& e) {
        error = e.what();
      }
      // Chunks of 1-64 bytes: the boundaries fall inside strings, numbers and vocab entries. Both
      // reads must agree (same error, or tokenizers that encode alike).
      const size_t chunk = 1 + (mode >> 2);
      size_t at = 0;
      std::unique_ptr<Tokenizer> chunked;
      std::string chunked_error;
      try {
        chunked = Tokenizer::from_json_chunks(rest.size(), chunk, [&](char* buffer, size_t capacity) {
          const size_t n = std::min(capacity, rest.size() - at);
          std::memcpy(buffer, rest.data() + at, n);
          at += n;
          return n;
        });
      } catch (const wasmbed::Error& e) {
        chunked_error = e.what();
      }
      if (error != chunked_error) __builtin_trap();
      if (!tok) return 0;
      const auto ids = [](const Tokenizer& t) {
        try {
          return t.encode("Hello world, 안녕하세요 привет ab abc", EncodeOptions{}).ids;
        } catch (const wasmbed::Error&) {
          return std::vector<int32_t>{-1};
        }
      };
      if (ids(*tok) != ids(*chunked)) __builtin_trap();
      exercise(*tok, "Hello world, 안녕하세요 привет ab abc", "second [SEP] <mask> text", 0x0F);
      exercise(*tok, "", "x", 0x01);
      break;
    }
    case 1: {  // the bytes are a SentencePiece model
      try {
        auto plain = Tokenizer::from_sentencepiece(rest, SentencePieceFlavor::kPlain);
        exercise(*plain, "Hello  world ab", "x", 0x01);
        auto xlmr = Tokenizer::from_sentencepiece(rest, SentencePieceFlavor::kXlmRoberta);
        exercise(*xlmr, " Hello <mask> world ", "y", 0x03);
      } catch (const wasmbed::Error&) {
      }
      break;
    }
    default: {  // fuzzed text (any bytes) through the fixed tokenizers
      if (rest.empty()) return 0;
      const uint8_t knobs = static_cast<uint8_t>(rest[0]);
      const std::string_view text = rest.substr(1);
      const size_t cut = text.size() / 2;
      for (const auto& tok : fixed()) exercise(*tok, text, text.substr(cut), knobs);
      break;
    }
  }
  return 0;
}
