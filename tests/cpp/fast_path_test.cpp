// The fused fast paths (wasm/tokenizer/fast) must give exactly what the general pipeline gives:
// every Encoding field, on the shared corpus, the committed hostile strings and thousands of
// random strings built from chars that exercise each rule (removed / mapped chars, CJK, spaces,
// charsmap-changed chars and grapheme clusters, added tokens, invalid UTF-8). Also: the
// oniguruma backtracking limit turns a catastrophic regex into an error instead of a hang.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/normalizers/basic.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/post_processors/post_processor.h"
#include "tokenizer/pre_tokenizers/metaspace.h"
#include "tokenizer/regex.h"
#include "tokenizer/sentencepiece_model.h"
#include "tokenizer/tokenizer.h"
#include "test_files.h"

using nlohmann::json;
using wasmbed::testing::read_file;
using wasmbed::testing::shared_dir;
using wasmbed::testing::source_dir;
using namespace wasmbed::tok;

namespace {

// Texts: hostile strings, random strings from a pool of interesting pieces, shared corpus lines.
std::vector<std::string> texts() {
  std::vector<std::string> out;
  std::string raw;
  if (read_file(source_dir() + "/tests/fixtures/tokenizers/hostile.json", raw)) {
    // Its lone-surrogate section (after "strings") is not JSON nlohmann accepts: cut it off.
    const size_t cut = raw.find("\"loneSurrogates\"");
    if (cut != std::string::npos) {
      raw.resize(raw.find_last_of(',', cut));
      raw += "}";
    }
    const json doc = json::parse(raw);
    for (const json& s : doc["strings"]) out.push_back(s["text"].get<std::string>());
  }
  const std::vector<std::string> pool = {
      "a", "Z", "Hello", "x", "7", "123", " ", " ", "  ", "   ", "\t", "\n", "\r", "\r\n", std::string(1, '\0'), "\x7f",
      "\xc3\xa9" /* é */, "e\xcc\x81" /* e + combining acute */, "\xcc\x81", "\xea\xb0\x80" /* 가 */,
      "\xec\x95\x88\xeb\x85\x95" /* 안녕 */, "\xe1\x84\x80\xe1\x85\xa1" /* jamo ga */, "\xe1\x86\xa8" /* jamo T */,
      "\xe3\x85\x85" /* compat jamo */, "\xe4\xb8\xad\xe6\x96\x87" /* 中文 */, "\xef\xa4\x80" /* CJK compat */,
      "\xe3\x80\x80" /* ideographic space */, "\xc2\xa0" /* nbsp */, "\xe2\x80\x8b" /* zwsp */, "\xe2\x80\x8d" /* zwj */,
      "\xf0\x9f\x98\x80" /* emoji */, "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" /* thumbs + tone */,
      "\xf0\x9f\x87\xb0\xf0\x9f\x87\xb7" /* flag */, "!", ".", ",", "'", "\xc2\xab", "\xe2\x80\x94", "\xe2\x80\xa6",
      "\xe2\x84\x96" /* № */, "\xe3\x8e\xa1" /* ㎡ */, "\xef\xac\x81" /* ﬁ */, "\xef\xbc\xa1" /* fullwidth A */,
      "<s>", "</s>", "<unk>", "[CLS]", "[UNK]", "[MASK]", "##", "\xe2\x96\x81" /* ▁ */, "\xff", "\xe0\x80", "\xed\xa0\x80",
      "\xc4\xb0" /* İ */, "\xc3\x9f", "\xce\xa3", "\xd0\xbf\xd1\x80\xd0\xb8", "\xd0\x81", "\xef\xbb\xbf", "\xe2\x80\xa8",
      "\xef\xbf\xbd", "\xd8\x80" /* Arabic number sign (Prepend) */, "\xe0\xa4\x95\xe0\xa5\x8d" /* ka + virama */,
      "\xe1\x85\xa1" /* jamo V */};
  std::mt19937 rng(1234);
  for (int i = 0; i < 6000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) s += pool[rng() % pool.size()];
    out.push_back(s);
  }
  if (read_file(shared_dir() + "/texts/korsts/sts-dev.tsv", raw)) {
    std::istringstream lines(raw);
    for (std::string l; std::getline(lines, l);) out.push_back(l);
  }
  return out;
}

void expect_same(const Encoding& fast, const Encoding& slow, const std::string& what) {
  EXPECT_EQ(fast.ids, slow.ids) << what;
  EXPECT_EQ(fast.tokens, slow.tokens) << what;
  EXPECT_EQ(fast.offsets, slow.offsets) << what;
  EXPECT_EQ(fast.word_ids, slow.word_ids) << what;
  EXPECT_EQ(fast.type_ids, slow.type_ids) << what;
  EXPECT_EQ(fast.special_tokens_mask, slow.special_tokens_mask) << what;
  EXPECT_EQ(fast.attention_mask, slow.attention_mask) << what;
  EXPECT_EQ(fast.sequence_ids, slow.sequence_ids) << what;
}

// Encodes every text (and some pairs) with the fast path on and off and compares.
void compare_paths(Tokenizer& tok, const std::string& name) {
  ASSERT_TRUE(tok.has_fast_path()) << name << ": no fast path for this pipeline";
  const std::vector<std::string> all = texts();
  std::vector<Encoding> fast;
  fast.reserve(all.size());
  for (const std::string& t : all) fast.push_back(tok.encode(t));
  Encoding fast_pair = tok.encode_pair(all[all.size() / 2], all[all.size() / 3]);
  tok.set_fast_path_enabled(false);
  ASSERT_FALSE(tok.has_fast_path());
  for (size_t i = 0; i < all.size(); ++i) {
    expect_same(fast[i], tok.encode(all[i]), name + " text: " + all[i]);
    if (::testing::Test::HasFailure()) return;  // one mismatch is enough to read
  }
  expect_same(fast_pair, tok.encode_pair(all[all.size() / 2], all[all.size() / 3]), name + " pair");
  tok.set_fast_path_enabled(true);
}

// The pipeline HF's converter gives a SentencePiece unigram model (as
// scripts/tokenizer-fixtures/spm-convert.js builds it): Precompiled charsmap, Strip right,
// Replace(" {2,}" -> "▁"), Metaspace, Unigram with byte fallback, specials as added tokens.
std::unique_ptr<Tokenizer> converted_unigram(const std::string& model_path) {
  std::string bytes;
  if (!read_file(model_path, bytes)) return nullptr;
  SentencePieceModel m = parse_sentencepiece_model(bytes);
  auto tok = std::make_unique<Tokenizer>();
  tok->set_model(std::make_unique<Unigram>(m.piece_list(), m.unk_id, m.byte_fallback));
  std::vector<std::unique_ptr<Normalizer>> steps;
  steps.push_back(Precompiled::from_bytes(m.precompiled_charsmap));
  steps.push_back(std::make_unique<StripNormalizer>(false, true));
  steps.push_back(ReplaceNormalizer::regex(" {2,}", "\xe2\x96\x81"));
  tok->set_normalizer(std::make_unique<SequenceNormalizer>(std::move(steps)));
  tok->set_pre_tokenizer(std::make_unique<Metaspace>(U'\u2581', PrependScheme::kAlways, true));
  std::vector<AddedToken> specials;
  for (const char* s : {"<unk>", "<s>", "</s>"}) {
    AddedToken t;
    t.content = s;
    t.special = true;
    t.normalized = false;
    specials.push_back(t);
  }
  tok->add_tokens(specials);
  return tok;
}

// compare_paths on ../shared/tokenizers/<name>/tokenizer.json; skips the test when ../shared is absent.
void compare_shared_tokenizer(const std::string& name) {
  std::string json_text;
  if (!read_file(shared_dir() + "/tokenizers/" + name + "/tokenizer.json", json_text))
    GTEST_SKIP() << "../shared is absent (set WASMBED_SHARED_DIR): skipping " << name;
  auto tok = Tokenizer::from_json(json_text);
  compare_paths(*tok, name);
}

}  // namespace

TEST(FastPath, BertWordPieceCasedEqualsGeneralPipeline) { compare_shared_tokenizer("klue-roberta-base"); }

TEST(FastPath, BertWordPieceUncasedEqualsGeneralPipeline) {
  // lowercase + strip_accents: the fast path takes ASCII-only texts, the rest must decline.
  compare_shared_tokenizer("all-MiniLM-L6-v2");
}

TEST(FastPath, MetaspaceUnigramEqualsGeneralPipeline) {
  for (const char* name : {"uni-all-8000-bf", "uni-ko-1000", "uni-en-1000-identity"}) {
    auto tok = converted_unigram(source_dir() + "/tests/fixtures/tokenizers/spm/" + name + ".model");
    ASSERT_TRUE(tok) << name;
    compare_paths(*tok, name);
  }
}

TEST(FastPath, OtherPipelinesHaveNone) {
  // NFKC is not a step the unigram fast path knows: the general pipeline runs.
  std::string json_text;
  ASSERT_TRUE(read_file(source_dir() + "/tests/fixtures/cpp-tokenizer/unigram-byte-fallback.json", json_text));
  EXPECT_FALSE(Tokenizer::from_json(json_text)->has_fast_path());
}

TEST(Regex, CatastrophicBacktrackingFailsWithAClearError) {
  // Nested quantifiers that cannot match the end: exponential for a backtracker.
  Regex re("(\\w+\\s?)*$");
  const std::string text = std::string(3000, 'a') + "!";
  try {
    (void)re.find_all(text);
    FAIL() << "expected the retry limit to stop the search";
  } catch (const wasmbed::Error& e) {
    EXPECT_EQ(e.code(), wasmbed::ErrorCode::kCapacity);
    EXPECT_NE(std::string(e.what()).find("too much backtracking"), std::string::npos) << e.what();
  }
  // Ordinary patterns on long inputs stay well inside the budget.
  Regex gpt2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
  std::string long_text;
  while (long_text.size() < 1000000) long_text += "Hello world, it's 2024!  ";
  EXPECT_GT(gpt2.find_all(long_text).size(), 100000u);
  const std::string no_spaces(1000000, 'x');
  EXPECT_EQ(gpt2.find_all(no_spaces).size(), 1u);
}

TEST(PostProcess, TemplateInPlaceEqualsMerge) {
  // Specials before and after $A, one of them with two ids, a non-zero type id for $A.
  const json tpl = json::parse(R"({"type":"TemplateProcessing",
    "single":[{"SpecialToken":{"id":"<a>","type_id":3}},{"SpecialToken":{"id":"<bb>","type_id":0}},
              {"Sequence":{"id":"A","type_id":1}},{"SpecialToken":{"id":"<a>","type_id":2}}],
    "pair":[{"Sequence":{"id":"A","type_id":0}},{"Sequence":{"id":"B","type_id":1}}],
    "special_tokens":{"<a>":{"id":"<a>","ids":[7],"tokens":["<a>"]},
                      "<bb>":{"id":"<bb>","ids":[8,9],"tokens":["<b1>","<b2>"]}}})");
  auto proc = post_processor_from_json(tpl);
  for (const bool add : {true, false}) {
    for (const size_t n : {0, 1, 5}) {
      std::vector<Token> tokens;
      for (size_t i = 0; i < n; ++i) tokens.push_back(Token{static_cast<int32_t>(100 + i), "t" + std::to_string(i), {2 * i, 2 * i + 1}});
      const Encoding base = Encoding::from_tokens(tokens, 0, std::vector<int32_t>(n, 4));
      Encoding in_place = base;
      ASSERT_TRUE(proc->process_single_in_place(in_place, add));
      expect_same(in_place, post_process(proc.get(), base, nullptr, add), "n=" + std::to_string(n));
    }
  }
}
