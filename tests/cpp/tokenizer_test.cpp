// Tokenizer pipeline tests: real tokenizer.json files (../shared) and the synthetic fixtures in
// tests/fixtures/cpp-tokenizer checked against expectations from the HF tokenizers Rust oracle
// (regenerate with tests/fixtures/cpp-tokenizer/make-expectations.mjs), plus loader errors,
// truncation/padding behaviour and a linear-time guard.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/tokenizer.h"
#include "test_files.h"

using nlohmann::json;
using wasmbed::testing::read_file;
using wasmbed::testing::shared_dir;
using wasmbed::testing::source_dir;
using wasmbed::Error;
using wasmbed::ErrorCode;
using namespace wasmbed::tok;

namespace {

const json& expected() {
  static const json j = [] {
    std::string text;
    if (!read_file(source_dir() + "/tests/fixtures/cpp-tokenizer/expected.json", text)) return json();
    return json::parse(text);
  }();
  return j;
}

std::vector<int32_t> ids_of(const json& j) { return j.get<std::vector<int32_t>>(); }

TruncationStrategy strategy_of(const std::string& s) {
  if (s == "OnlyFirst") return TruncationStrategy::kOnlyFirst;
  if (s == "OnlySecond") return TruncationStrategy::kOnlySecond;
  return TruncationStrategy::kLongestFirst;
}

// Runs every oracle expectation recorded for `name` against the tokenizer in `path`.
void check_against_oracle(const std::string& name, const std::string& path) {
  std::string text;
  ASSERT_TRUE(read_file(path, text)) << path;
  const json& all = expected();
  ASSERT_TRUE(all.is_object()) << "tests/fixtures/cpp-tokenizer/expected.json missing";
  const json& exp = all["tokenizers"][name];
  ASSERT_TRUE(exp.is_object()) << name;
  auto tok = Tokenizer::from_json(text);

  size_t checked = 0;
  for (const json& c : exp["single"]) {
    const std::string t = c["text"].get<std::string>();
    Encoding e = tok->encode(t);
    EXPECT_EQ(e.ids, ids_of(c["ids"])) << name << " text: " << t;
    EXPECT_EQ(e.tokens, c["tokens"].get<std::vector<std::string>>()) << name << " text: " << t;
    EXPECT_EQ(e.type_ids, ids_of(c["type_ids"])) << name << " text: " << t;
    EncodeOptions no_special;
    no_special.add_special_tokens = false;
    EXPECT_EQ(tok->encode(t, no_special).ids, ids_of(c["no_special"])) << name << " text: " << t;
    ++checked;
  }
  for (const json& c : exp["pairs"]) {
    Encoding e = tok->encode_pair(c["a"].get<std::string>(), c["b"].get<std::string>());
    EXPECT_EQ(e.ids, ids_of(c["ids"])) << name << " pair: " << c["a"];
    EXPECT_EQ(e.type_ids, ids_of(c["type_ids"])) << name << " pair: " << c["a"];
    ++checked;
  }
  for (const json& c : exp["truncated"]) {
    EncodeOptions o;
    o.max_length = c["max"].get<size_t>();
    o.stride = c["stride"].get<size_t>();
    o.strategy = strategy_of(c["strategy"].get<std::string>());
    const bool pair = c.contains("b");
    if (c.contains("error")) {
      EXPECT_THROW(tok->encode_pair(c["a"].get<std::string>(), c["b"].get<std::string>(), o), Error) << name;
      continue;
    }
    Encoding e = pair ? tok->encode_pair(c["a"].get<std::string>(), c["b"].get<std::string>(), o)
                      : tok->encode(c["a"].get<std::string>(), o);
    EXPECT_EQ(e.ids, ids_of(c["ids"])) << name << " truncation " << c["strategy"] << " max " << o.max_length
                                       << " text: " << c["a"];
    ++checked;
  }
  for (const json& c : exp["decode"]) {
    const std::vector<int32_t> ids = ids_of(c["ids"]);
    EXPECT_EQ(tok->decode(ids, true), c["skip"].get<std::string>()) << name;
    EXPECT_EQ(tok->decode(ids, false), c["keep"].get<std::string>()) << name;
    ++checked;
  }
  EXPECT_GT(checked, 40u);
}

double user_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec) * 1e-6;
}

bool have_shared() {
  std::string probe;
  return read_file(shared_dir() + "/tokenizers/all-MiniLM-L6-v2/tokenizer.json", probe);
}

}  // namespace

TEST(TokenizerOracle, AllMiniLmWordPiece) {
  if (!have_shared()) GTEST_SKIP() << "../shared is absent (set WASMBED_SHARED_DIR): skipping all-MiniLM-L6-v2 parity";
  check_against_oracle("all-MiniLM-L6-v2", shared_dir() + "/tokenizers/all-MiniLM-L6-v2/tokenizer.json");
}

TEST(TokenizerOracle, KlueRobertaWordPieceKorean) {
  if (!have_shared()) GTEST_SKIP() << "../shared is absent (set WASMBED_SHARED_DIR): skipping klue-roberta-base parity";
  check_against_oracle("klue-roberta-base", shared_dir() + "/tokenizers/klue-roberta-base/tokenizer.json");
}

TEST(TokenizerOracle, SyntheticUnigramByteFallback) {
  check_against_oracle("fixture:unigram-byte-fallback.json",
                       source_dir() + "/tests/fixtures/cpp-tokenizer/unigram-byte-fallback.json");
}

TEST(TokenizerOracle, SyntheticByteLevelBpe) {
  check_against_oracle("fixture:bpe-byte-level.json", source_dir() + "/tests/fixtures/cpp-tokenizer/bpe-byte-level.json");
}

// SentencePiece .model files (helper C's spm_train fixtures): plain flavour == spm_encode
// (python3-sentencepiece), xlm-roberta flavour == HF tokenizers on the converter's tokenizer.json.
TEST(SentencePieceOracle, PlainAndXlmRobertaFlavours) {
  std::string text;
  if (!read_file(source_dir() + "/tests/fixtures/cpp-tokenizer/spm-expected.json", text))
    GTEST_SKIP() << "tests/fixtures/cpp-tokenizer/spm-expected.json is absent";
  const json exp = json::parse(text);
  const std::vector<std::string> texts = exp["texts"].get<std::vector<std::string>>();
  size_t models = 0;
  for (auto it = exp["models"].begin(); it != exp["models"].end(); ++it) {
    std::string bytes;
    if (!read_file(source_dir() + "/tests/fixtures/tokenizers/spm/" + it.key(), bytes)) continue;
    ++models;
    auto plain = Tokenizer::from_sentencepiece(bytes, SentencePieceFlavor::kPlain);
    const json& want = it.value()["plain"];
    for (size_t i = 0; i < texts.size(); ++i)
      EXPECT_EQ(plain->encode(texts[i]).ids, ids_of(want[i])) << it.key() << " plain, text: " << texts[i];
    if (it.value().contains("xlmr")) {
      auto xlmr = Tokenizer::from_sentencepiece(bytes, SentencePieceFlavor::kXlmRoberta);
      const json& wx = it.value()["xlmr"];
      for (size_t i = 0; i < texts.size(); ++i)
        EXPECT_EQ(xlmr->encode(texts[i]).ids, ids_of(wx[i])) << it.key() << " xlmr, text: " << texts[i];
      EXPECT_EQ(xlmr->encode_pair(texts[0], texts[1]).ids, ids_of(it.value()["xlmr_pair"])) << it.key();
      EXPECT_EQ(xlmr->token_to_id("<mask>"), static_cast<int32_t>(xlmr->vocab_size()) - 1);
      EXPECT_EQ(xlmr->pad_id(), 1);
    }
  }
  EXPECT_GT(models, 0u) << "no .model fixture found under tests/fixtures/tokenizers/spm";
}

TEST(TokenizerJson, ErrorsNameTheProblem) {
  try {
    Tokenizer::from_json("{\"model\": [1, 2,");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kParse);
    EXPECT_NE(std::string(e.what()).find("tokenizer.json: invalid JSON at byte"), std::string::npos) << e.what();
  }
  try {
    Tokenizer::from_json(R"({"model": {"type": "Magic", "vocab": {}}})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_STREQ(e.what(), "tokenizer.json: model type 'Magic' is not supported");
  }
  EXPECT_THROW(Tokenizer::from_json(R"({"normalizer": null})"), Error);  // no model
  EXPECT_THROW(Tokenizer::from_json(R"([1,2,3])"), Error);
  EXPECT_THROW(Tokenizer::from_json(R"({"model":{"type":"WordLevel","vocab":{"a":0}},"post_processor":{"type":"Nope"}})"), Error);
  EXPECT_THROW(Tokenizer::from_json(R"({"model":{"type":"WordLevel","vocab":{"a":"x"}}})"), Error);
  EXPECT_THROW(Tokenizer::from_sentencepiece("not a model", SentencePieceFlavor::kPlain), Error);
}

TEST(TokenizerJson, WordLevelPipelineOffsetsAndDecode) {
  auto tok = Tokenizer::from_json(R"({
    "added_tokens": [{"id": 3, "content": "[X]", "special": true, "normalized": false}],
    "normalizer": {"type": "Lowercase"},
    "pre_tokenizer": {"type": "WhitespaceSplit"},
    "post_processor": {"type": "BertProcessing", "sep": ["[X]", 3], "cls": ["[X]", 3]},
    "model": {"type": "WordLevel", "vocab": {"hello": 0, "world": 1, "<unk>": 2, "[X]": 3}, "unk_token": "<unk>"}})");
  Encoding e = tok->encode("Hello  WORLD [X]zzz");
  EXPECT_EQ(e.ids, (std::vector<int32_t>{3, 0, 1, 3, 2, 3}));
  EXPECT_EQ(e.offsets[2], (Range{7, 12}));  // byte offsets into the original input
  EXPECT_EQ(e.offsets[3], (Range{13, 16}));
  EXPECT_EQ(e.word_ids[1], 0);
  EXPECT_EQ(tok->decode(e.ids, true), "hello world <unk>");
  EXPECT_EQ(tok->token_to_id("[X]"), 3);
  EXPECT_EQ(tok->token_to_id("nope"), -1);
  EXPECT_EQ(tok->id_to_token(1), "world");
  EXPECT_EQ(tok->vocab_size(), 4u);
  EXPECT_EQ(tok->num_special_tokens_to_add(true), 3u);
  // Invalid UTF-8 never crashes: it is tokenized as U+FFFD covering the bad bytes.
  Encoding bad = tok->encode(std::string("hello \xFF\xFE world", 14));
  EXPECT_EQ(bad.ids.size(), 5u);
  EXPECT_EQ(bad.offsets[2], (Range{6, 8}));
}

// Linear time: one 1 MiB input without spaces must cost about what 16 runs over a 64 KiB one cost
// (the same number of bytes). A quadratic stage would make it 16x; cache misses on the ~100 MB of
// token/alignment data of the big input and the BPE merge heap's log factor cost 4x-8x here, so the bound is 12x.
// Measured in user CPU time, best of two, each side long enough (16 runs) for the clock's
// resolution: the CI machine is shared (wall time is noisy) and page faults of fresh big
// allocations (kernel time) grow with memory, not with the algorithm. bench/ measures the real
// throughput ratios.
#if defined(__SANITIZE_ADDRESS__)
#define WASMBED_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WASMBED_UNDER_SANITIZER 1
#endif
#endif

TEST(TokenizerPerformance, LongInputsWithoutSpacesAreLinear) {
#ifdef WASMBED_UNDER_SANITIZER
  GTEST_SKIP() << "timing ratios are meaningless under ASan/UBSan (the Release build runs this test)";
#endif
  const std::vector<std::string> files = {source_dir() + "/tests/fixtures/cpp-tokenizer/unigram-byte-fallback.json",
                                          source_dir() + "/tests/fixtures/cpp-tokenizer/bpe-byte-level.json"};
  const std::string unit = "abcd\xEC\x95\x88\xEB\x85\x95\xD0\xBF\xD1\x80\xD0\xB8";  // abcd안녕при
  auto build = [&](size_t bytes) {
    std::string s;
    while (s.size() < bytes) s += unit;
    return s;
  };
  const std::string small = build(64 * 1024), big = build(1024 * 1024);
  for (const std::string& f : files) {
    std::string text;
    ASSERT_TRUE(read_file(f, text));
    auto tok = Tokenizer::from_json(text);
    auto cpu = [&](const std::string& s, int repeats) {  // best of two, each `repeats` encodes
      double best = 1e9;
      for (int trial = 0; trial < 2; ++trial) {
        const double c0 = user_cpu_seconds();
        for (int i = 0; i < repeats; ++i) {
          Encoding e = tok->encode(s);
          EXPECT_GT(e.ids.size(), s.size() / 16);
        }
        best = std::min(best, user_cpu_seconds() - c0);
      }
      return best;
    };
    const double ts = std::max(cpu(small, 16), 1e-3), tb = cpu(big, 1);
    EXPECT_LT(tb / ts, 12.0) << f << ": 16 x 64 KiB " << ts << " s, 1 x 1 MiB " << tb << " s (user CPU)";
  }
}
