// Structure-aware libFuzzer target for the tokenizer.json loader (issue 13): instead of feeding
// raw bytes (tokenizer_fuzz.cpp does that, and rarely gets past the JSON syntax), the fuzzer's
// bytes are decoded as CHOICES applied to valid tokenizer.json documents (WordPiece, Unigram,
// BPE): wrap a section in Sequences to a random depth, replace a random value with another type,
// a huge / negative number or a long string, nest arrays deeply, give a vocabulary entry a
// huge id, ask for huge padding. The mutated document is loaded; loading must succeed or throw
// wasmbed::Error (which JS maps to its typed errors): any other exception, a crash, a sanitizer
// report or running past libFuzzer's memory limit is a bug. A loaded tokenizer also encodes and
// decodes a short text.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/tokenizer.h"

using nlohmann::json;
using namespace wasmbed::tok;

namespace {

const char* kBases[] = {
    R"({"added_tokens": [{"id": 0, "content": "[PAD]", "special": true, "normalized": false},
                        {"id": 1, "content": "[UNK]", "special": true, "normalized": false},
                        {"id": 2, "content": "[CLS]", "special": true, "normalized": false},
                        {"id": 3, "content": "[SEP]", "special": true, "normalized": false}],
        "truncation": null, "padding": null,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing", "single": "[CLS] $A [SEP]", "pair": "[CLS] $A [SEP] $B:1 [SEP]:1",
                           "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                  "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "b": 5, "##a": 6, "##b": 7, "ab": 8, "가": 9}}})",
    R"({"added_tokens": [{"id": 0, "content": "<s>", "special": true, "normalized": false},
                        {"id": 3, "content": "<unk>", "special": true, "normalized": false}],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
        "post_processor": {"type": "TemplateProcessing", "single": ["<s>", "$A", "</s>"], "pair": ["<s>", "$A", "</s>", "</s>", "$B", "</s>"],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
        "model": {"type": "Unigram", "unk_id": 3, "byte_fallback": false,
                  "vocab": [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["\u2581", -2], ["a", -3], ["b", -3.5], ["\u2581ab", -2.25], ["가", -3]]}})",
    R"({"added_tokens": [{"id": 0, "content": "<|endoftext|>", "special": true, "normalized": false}],
        "normalizer": null,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false, "byte_fallback": false,
                  "vocab": {"<|endoftext|>": 0, "a": 1, "b": 2, "ab": 3, "\u0120": 4, "\u0120a": 5},
                  "merges": ["a b", "\u0120 a"]}})",
};

struct Section {
  const char* name;
  const char* list_key;
};
const Section kSections[] = {{"normalizer", "normalizers"}, {"pre_tokenizer", "pretokenizers"},
                             {"post_processor", "processors"}, {"decoder", "decoders"}};

json random_value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 11)) {
    case 0: return nullptr;
    case 1: return in.ConsumeBool();
    case 2: return in.ConsumeIntegral<int64_t>();
    case 3: return std::numeric_limits<uint64_t>::max();
    case 4: return -1;
    case 5: return in.ConsumeFloatingPoint<double>();
    case 6: return std::string(in.ConsumeIntegralInRange<size_t>(0, 1 << 16), static_cast<char>(in.ConsumeIntegral<uint8_t>() | 0x20));
    case 7: return in.ConsumeRandomLengthString(64);
    case 8: return json::array();
    case 9: return json::object();
    case 10: {  // deep array (past the JSON depth limit or not)
      json v = json::array();
      const int depth = in.ConsumeIntegralInRange<int>(1, 400);
      for (int i = 0; i < depth; ++i) v = json::array({std::move(v)});
      return v;
    }
    default: return json::array({in.ConsumeRandomLengthString(8), in.ConsumeFloatingPoint<double>()});
  }
}

// A random value inside `root` (walking down a random number of levels).
json& random_node(FuzzedDataProvider& in, json& root) {
  json* at = &root;
  const int steps = in.ConsumeIntegralInRange<int>(0, 6);
  for (int s = 0; s < steps && (at->is_object() || at->is_array()) && !at->empty(); ++s) {
    const size_t k = in.ConsumeIntegralInRange<size_t>(0, at->size() - 1);
    if (at->is_array()) {
      at = &(*at)[k];
    } else {
      auto it = at->begin();
      std::advance(it, static_cast<std::ptrdiff_t>(k));
      at = &it.value();
    }
  }
  return *at;
}

void mutate(FuzzedDataProvider& in, json& doc) {
  if (!doc.is_object()) return;  // an earlier mutation replaced the whole document
  json* model = doc.contains("model") && doc["model"].is_object() ? &doc["model"] : nullptr;
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: {  // wrap a section in Sequences (the section limit is 64, the JSON limit 256 levels)
      const Section& s = kSections[in.ConsumeIntegralInRange<size_t>(0, 3)];
      json v = doc.contains(s.name) ? doc[s.name] : json(nullptr);
      const int depth = in.ConsumeIntegralInRange<int>(1, 140);
      for (int i = 0; i < depth; ++i) v = json{{"type", "Sequence"}, {s.list_key, json::array({std::move(v)})}};
      doc[s.name] = std::move(v);
      break;
    }
    case 1: random_node(in, doc) = random_value(in); break;
    case 2: {  // a vocabulary entry with an extreme id or score
      if (!model) break;
      json& vocab = (*model)["vocab"];
      const int64_t id = in.PickValueInArray<int64_t>({-1, 0, 300000000, INT32_MAX, int64_t{1} << 40});
      if (vocab.is_object()) vocab[in.ConsumeRandomLengthString(8)] = id;
      else if (vocab.is_array()) vocab.push_back(json::array({in.ConsumeRandomLengthString(8), in.ConsumeFloatingPoint<double>()}));
      break;
    }
    case 3: {  // padding / truncation sizes
      const uint64_t n = in.PickValueInArray<uint64_t>({0, 1, 512, (1u << 20) + 1, UINT32_MAX, UINT64_MAX});
      if (in.ConsumeBool()) doc["padding"] = {{"strategy", {{"Fixed", n}}}, {"pad_to_multiple_of", in.ConsumeBool() ? json(n) : json(nullptr)}};
      else doc["truncation"] = {{"max_length", n}, {"stride", in.ConsumeIntegral<uint16_t>()}};
      break;
    }
    case 4: {  // model type swapped (an object vocab under Unigram, an array vocab under BPE...)
      static const char* kTypes[] = {"WordPiece", "Unigram", "BPE", "WordLevel", "Nope"};
      if (model) (*model)["type"] = kTypes[in.ConsumeIntegralInRange<size_t>(0, 4)];
      break;
    }
    default: {  // a key removed
      json& node = random_node(in, doc);
      if (node.is_object() && !node.empty()) {
        auto it = node.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(in.ConsumeIntegralInRange<size_t>(0, node.size() - 1)));
        node.erase(it);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  json doc = json::parse(kBases[in.ConsumeIntegralInRange<size_t>(0, 2)]);
  const int mutations = in.ConsumeIntegralInRange<int>(1, 4);
  for (int i = 0; i < mutations && in.remaining_bytes() > 0; ++i) mutate(in, doc);
  // Fuzzed strings may be invalid UTF-8, which dump() refuses: write U+FFFD for those bytes (the
  // raw-bytes target, tokenizer_fuzz.cpp, covers invalid UTF-8 reaching the parser).
  const std::string text = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  std::unique_ptr<Tokenizer> tok;
  try {
    tok = Tokenizer::from_json(text);
  } catch (const wasmbed::Error&) {
    return 0;
  }
  try {
    EncodeOptions o;
    const Encoding e = tok->encode("ab a b 가 xyz", o);
    (void)tok->decode(e.ids, false);
  } catch (const wasmbed::Error&) {
  }
  return 0;
}
