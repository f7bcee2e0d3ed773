// Issue 13: no tokenizer file can crash the core. Deep Sequence nesting in any of the four
// pipeline sections, deep JSON nesting anywhere, and sparse vocabulary ids must each give a typed
// error (or load) without exhausting the stack or the heap; the process stays usable after.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "test_files.h"
#include "tokenizer/json_limits.h"
#include "tokenizer/tokenizer.h"

namespace {

using nlohmann::json;
using wasmbed::Error;
using wasmbed::ErrorCode;
using wasmbed::tok::Tokenizer;
using wasmbed::testing::read_file;
using wasmbed::testing::source_dir;

std::string tiny_json() {
  std::string text;
  EXPECT_TRUE(read_file(source_dir() + "/tests/fixtures/tokenizers/tiny-wordpiece.json", text));
  return text;
}

// `depth` Sequences of `type`, each holding the next in `list_key`, around `leaf`. Built as text:
// a 10,000-deep nlohmann tree would itself be destroyed fine, but text is what an attacker sends.
std::string nested(const char* list_key, int depth, const std::string& leaf) {
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    open += std::string("{\"type\":\"Sequence\",\"") + list_key + "\":[";
    close += "]}";
  }
  return open + leaf + close;
}

std::string with_section(const char* section, const std::string& value) {
  json j = json::parse(tiny_json());
  j[section] = nullptr;
  std::string text = j.dump();
  const std::string key = std::string("\"") + section + "\":null";
  const size_t at = text.find(key);
  EXPECT_NE(at, std::string::npos);
  return text.replace(at, key.size(), std::string("\"") + section + "\":" + value);
}

void expect_capacity(const std::string& file, const std::string& needle) {
  try {
    Tokenizer::from_json(file);
    FAIL() << "expected a CapacityError containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCapacity) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

void expect_fresh_tokenizer_works() {
  auto tok = Tokenizer::from_json(tiny_json());
  EXPECT_GT(tok->encode("hello world").size(), 0u);
}

struct Section {
  const char* name;
  const char* list_key;
  const char* leaf;
};

const Section kSections[] = {
    {"normalizer", "normalizers", R"({"type":"Lowercase"})"},
    {"pre_tokenizer", "pretokenizers", R"({"type":"Whitespace"})"},
    {"post_processor", "processors", R"({"type":"ByteLevel"})"},
    {"decoder", "decoders", R"({"type":"Fuse"})"},
};

TEST(TokenizerLimits, TenThousandNestedSequencesAreACapacityErrorInEverySection) {
  for (const Section& s : kSections) {
    SCOPED_TRACE(s.name);
    // The JSON nesting limit (two levels per Sequence) is hit first at this depth...
    expect_capacity(with_section(s.name, nested(s.list_key, 10000, s.leaf)), "nesting deeper than");
    // ...and just past the section limit, the section's own check names the section.
    expect_capacity(with_section(s.name, nested(s.list_key, wasmbed::tok::kMaxSectionNesting + 1, s.leaf)),
                    std::string("tokenizer.json: ") + s.name + " nesting deeper than 64 levels");
    expect_fresh_tokenizer_works();
  }
}

TEST(TokenizerLimits, NestingAtTheSectionLimitLoads) {
  for (const Section& s : kSections) {
    SCOPED_TRACE(s.name);
    auto tok = Tokenizer::from_json(with_section(s.name, nested(s.list_key, wasmbed::tok::kMaxSectionNesting, s.leaf)));
    EXPECT_GT(tok->encode("hello world").size(), 0u);
  }
}

TEST(TokenizerLimits, DeepJsonAnywhereIsACapacityError) {
  // A 100,000-deep array in a field nobody reads.
  json j = json::parse(tiny_json());
  std::string text = j.dump();
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  text.insert(1, "\"extra\":" + deep + ",");
  expect_capacity(text, "tokenizer.json: JSON nesting deeper than 256 levels");
  expect_fresh_tokenizer_works();
}

TEST(TokenizerLimits, SparseVocabularyIdLoadsWithoutADenseTable) {
  // HF keeps the vocabulary in a HashMap, so one huge id is legal: it must load in memory
  // proportional to the number of tokens (a dense id table would be 1.2 GB).
  json j = json::parse(tiny_json());
  j["model"]["vocab"]["zzhuge"] = 300000000;
  auto tok = Tokenizer::from_json(j.dump());
  EXPECT_EQ(tok->token_to_id("zzhuge"), 300000000);
  EXPECT_EQ(tok->id_to_token(300000000), "zzhuge");
  EXPECT_EQ(tok->id_to_token(299999999), "");
  EXPECT_EQ(tok->decode({300000000}, false), "zzhuge");
}

TEST(TokenizerLimits, PaddingLengthOverTheLimitIsACapacityError) {
  json j = json::parse(tiny_json());
  j["padding"] = {{"strategy", {{"Fixed", 2147483647}}}};
  expect_capacity(j.dump(), "is larger than 1048576");
}

}  // namespace
