// Unit tests of the tokenization models, the added vocabulary, encodings/truncation,
// post-processors and decoders, with hand-checked expectations (the HF Rust tests' examples
// where they exist).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/encoding.h"
#include "tokenizer/models/bpe.h"
#include "tokenizer/models/model_from_json.h"
#include "tokenizer/models/trie.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/models/wordpiece.h"
#include "tokenizer/normalizers/basic.h"
#include "tokenizer/post_processors/post_processor.h"
#include "tokenizer/sentencepiece_model.h"

using wasmbed::Error;
using wasmbed::ErrorCode;
using namespace wasmbed::tok;

namespace {

Vocab make_vocab(std::initializer_list<const char*> tokens) {
  Vocab v;
  int32_t id = 0;
  for (const char* t : tokens) v.insert(t, id++);
  return v;
}

std::vector<std::string> values(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens) out.push_back(t.value);
  return out;
}

std::vector<int32_t> ids(const std::vector<Token>& tokens) {
  std::vector<int32_t> out;
  for (const Token& t : tokens) out.push_back(t.id);
  return out;
}

}  // namespace

TEST(ByteTrie, CommonPrefixesShortestFirst) {
  ByteTrie t;
  t.insert("a", 1);
  t.insert("abc", 3);
  t.insert("ab", 2);
  t.insert("b", 4);
  t.freeze();
  std::vector<std::pair<size_t, int32_t>> hits;
  t.common_prefixes("abcd", 0, [&](size_t len, int32_t v) {
    hits.emplace_back(len, v);
    return true;
  });
  EXPECT_EQ(hits, (std::vector<std::pair<size_t, int32_t>>{{1, 1}, {2, 2}, {3, 3}}));
  EXPECT_EQ(t.find("ab"), 2);
  EXPECT_EQ(t.find("abcd"), -1);
  EXPECT_EQ(t.find(""), -1);
}

TEST(Vocab, OverwriteAndLookup) {
  Vocab v;
  v.insert("x", 0);
  v.insert("y", 5);
  v.insert("x", 7);  // later duplicate wins
  EXPECT_EQ(v.find("x"), 7);
  EXPECT_EQ(v.find("y"), 5);
  EXPECT_EQ(v.find("z"), -1);
  EXPECT_EQ(v.token(0), nullptr);
  ASSERT_NE(v.token(7), nullptr);
  EXPECT_EQ(*v.token(7), "x");
  EXPECT_EQ(v.size(), 2u);
}

TEST(WordPiece, GreedyLongestMatchWithOffsets) {
  WordPiece wp(make_vocab({"[UNK]", "un", "##aff", "##able", "a", "##ff"}), "[UNK]", "##", 100);
  auto t = wp.tokenize("unaffable");
  EXPECT_EQ(values(t), (std::vector<std::string>{"un", "##aff", "##able"}));
  EXPECT_EQ(t[1].offsets, (Range{2, 5}));
  EXPECT_EQ(t[2].offsets, (Range{5, 9}));
  // Any unmatchable rest makes the whole word [UNK], covering the whole word.
  auto u = wp.tokenize("unaffablex");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].id, 0);
  EXPECT_EQ(u[0].offsets, (Range{0, 10}));
  EXPECT_TRUE(wp.tokenize("").empty());
}

TEST(WordPiece, MaxInputCharsCountsChars) {
  WordPiece wp(make_vocab({"[UNK]", "가", "##가"}), "[UNK]", "##", 3);
  EXPECT_EQ(ids(wp.tokenize("가가가")), (std::vector<int32_t>{1, 2, 2}));  // 3 chars, 9 bytes: allowed
  EXPECT_EQ(ids(wp.tokenize("가가가가")), (std::vector<int32_t>{0}));
  WordPiece no_unk(make_vocab({"a"}), "[UNK]", "##", 100);
  EXPECT_THROW(no_unk.tokenize("b"), Error);
}

TEST(Unigram, HfDocExampleFusesUnknowns) {
  // tokenizers/src/models/unigram/model.rs doc example.
  std::vector<UnigramPiece> v{{"<unk>", 0}, {"a", 0},   {"b", 0},    {"c", 0},    {"d", 0},
                              {"cd", 1.0},  {"ab", 2.0}, {"abc", 5.0}, {"abcd", 10.0}};
  Unigram m(v, 0, false);
  auto t = m.tokenize("abcdacdxx");
  EXPECT_EQ(values(t), (std::vector<std::string>{"abcd", "a", "cd", "xx"}));
  EXPECT_EQ(t.back().id, 0);
  EXPECT_EQ(t.back().offsets, (Range{7, 9}));
}

TEST(Unigram, ByteFallbackAndMissingUnk) {
  std::vector<UnigramPiece> v{{"<unk>", 0}, {"a", -1}, {"<0xC3>", -1}, {"<0xA9>", -1}};
  Unigram m(v, 0, true);
  auto t = m.tokenize("a\xC3\xA9");  // "aé": é is unknown but has byte pieces
  EXPECT_EQ(values(t), (std::vector<std::string>{"a", "<0xC3>", "<0xA9>"}));
  EXPECT_EQ(ids(t), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(t[1].offsets, (Range{1, 3}));  // both byte tokens cover the whole char
  // Unknowns are fused first ("éx"); x has no byte piece, so HF falls back to unk for the run.
  auto u = m.tokenize("a\xC3\xA9x");
  EXPECT_EQ(values(u), (std::vector<std::string>{"a", "\xC3\xA9x"}));
  EXPECT_EQ(ids(u), (std::vector<int32_t>{1, 0}));
  Unigram no_unk(std::vector<UnigramPiece>{{"a", -1}}, -1, false);
  EXPECT_THROW(no_unk.tokenize("b"), Error);
  EXPECT_THROW(Unigram(std::vector<UnigramPiece>{{"a", -1}}, 3, false), Error);
}

TEST(Unigram, SentencePieceRulesUserDefinedAndUnused) {
  std::vector<UnigramPiece> v{{"<unk>", 0, PieceType::kUnknown}, {"<s>", 0, PieceType::kControl},
                              {"a", -1, PieceType::kNormal},       {"b", -1, PieceType::kNormal},
                              {"ab", -0.5, PieceType::kUnused},    {"<sep>", 0, PieceType::kUserDefined},
                              {"<", -2, PieceType::kNormal}};
  auto m = Unigram::sentencepiece(v, 0, false);
  // UNUSED "ab" is never produced; CONTROL "<s>" is not matchable; the user-defined symbol wins.
  EXPECT_EQ(values(m->tokenize("ab<sep>")), (std::vector<std::string>{"a", "b", "<sep>"}));
  auto t = m->tokenize("<s>");
  EXPECT_EQ(ids(t), (std::vector<int32_t>{6, 0}));  // "<" then fused unk "s>"
  EXPECT_EQ(t[1].value, "s>");
}

TEST(Bpe, MergesByRank) {
  Vocab v = make_vocab({"a", "b", "c", "ab", "bc", "abc"});
  BPE first(v, {{"a", "b"}, {"b", "c"}, {"ab", "c"}}, {});
  EXPECT_EQ(values(first.tokenize("abc")), (std::vector<std::string>{"abc"}));
  BPE second(make_vocab({"a", "b", "c", "ab", "bc", "abc"}), {{"b", "c"}, {"a", "b"}}, {});
  auto t = second.tokenize("abc");
  EXPECT_EQ(values(t), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(t[1].offsets, (Range{1, 3}));
  EXPECT_THROW(BPE(make_vocab({"a"}), {{"a", "z"}}, {}), Error);
}

TEST(Bpe, PrefixSuffixUnkFuseAndByteFallback) {
  BpeOptions o;
  o.continuing_subword_prefix = "##";
  o.end_of_word_suffix = "</w>";
  o.unk_token = "[UNK]";
  o.fuse_unk = true;
  BPE m(make_vocab({"[UNK]", "h", "##i</w>", "##i", "hi</w>"}), {{"h", "##i</w>"}}, o);
  EXPECT_EQ(values(m.tokenize("hi")), (std::vector<std::string>{"hi</w>"}));
  auto u = m.tokenize("hxxi");
  EXPECT_EQ(values(u), (std::vector<std::string>{"h", "[UNK]", "##i</w>"}));
  EXPECT_EQ(u[1].offsets, (Range{1, 3}));  // two unknown chars fused
  BpeOptions nf = o;
  nf.fuse_unk = false;
  BPE m2(make_vocab({"[UNK]", "h", "##i</w>", "##i", "hi</w>"}), {}, nf);
  EXPECT_EQ(m2.tokenize("hxxi").size(), 4u);

  BpeOptions bf;
  bf.byte_fallback = true;
  BPE m3(make_vocab({"a", "<0xC3>", "<0xA9>"}), {}, bf);
  EXPECT_EQ(values(m3.tokenize("a\xC3\xA9")), (std::vector<std::string>{"a", "<0xC3>", "<0xA9>"}));
  EXPECT_TRUE(m3.tokenize("x").empty());  // no unk token: HF drops the char

  BpeOptions im;
  im.ignore_merges = true;
  BPE m4(make_vocab({"a", "b", "ab", "abab"}), {{"a", "b"}}, im);
  EXPECT_EQ(values(m4.tokenize("abab")), (std::vector<std::string>{"abab"}));
  EXPECT_EQ(values(m4.tokenize("aba")), (std::vector<std::string>{"ab", "a"}));
}

TEST(ModelFromJson, ErrorsNameTheProblem) {
  try {
    model_from_json(nlohmann::json::parse(R"({"type":"Foo"})"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_STREQ(e.what(), "tokenizer.json: model type 'Foo' is not supported");
  }
  EXPECT_THROW(model_from_json(nlohmann::json::parse(R"({"type":"Unigram","vocab":[["a"]]})")), Error);
  EXPECT_THROW(model_from_json(nlohmann::json::parse(R"({"type":"BPE","vocab":{"a":0},"merges":["a"]})")), Error);
  auto m = model_from_json(nlohmann::json::parse(R"({"vocab":{"a":0,"b":1,"ab":2},"merges":[["a","b"]]})"));
  EXPECT_STREQ(m->type(), "BPE");
  EXPECT_EQ(ids(m->tokenize("ab")), (std::vector<int32_t>{2}));
}

TEST(AddedVocabulary, HfOptionsUseCases) {
  // tokenizers/src/tokenizer/added_vocabulary.rs `options_use_cases`.
  WordPiece model(make_vocab({"[UNK]"}), "[UNK]", "##", 100);
  LowercaseNormalizer lower;
  AddedVocabulary av;
  AddedToken my{"my", false, true, true, true, false};
  AddedToken name{"name", false, false, false, true, false};
  AddedToken ony{"ony", true, false, false, true, false};
  av.add_tokens({my, name, ony}, model, &lower);
  AddedToken cls{"[CLS]", false, false, false, false, true};
  AddedToken sep{"[SEP]", false, false, false, false, true};
  av.add_tokens({cls, sep}, model, &lower);
  PreTokenizedString pre = av.extract_and_normalize(&lower, "[CLS] My name is Anthony [SEP]");
  std::vector<std::pair<std::string, int32_t>> got;
  for (const Split& s : pre.splits()) got.emplace_back(s.normalized.get(), s.tokens ? (*s.tokens)[0].id : -1);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int32_t>>{
                     {"[CLS]", 4}, {" my ", 1}, {"name", 2}, {" is anthony ", -1}, {"[SEP]", 5}}));
  EXPECT_TRUE(av.is_special_token("[CLS]"));
  EXPECT_FALSE(av.is_special_token("my"));
}

TEST(AddedVocabulary, SingleWordAndLeftmostLongest) {
  WordPiece model(make_vocab({"[UNK]"}), "[UNK]", "##", 100);
  AddedVocabulary av;
  AddedToken mask{"<mask>", true, false, false, false, false};
  AddedToken ab{"ab", false, false, false, false, false};
  AddedToken abc{"abc", false, false, false, false, false};
  av.add_tokens({mask, ab, abc}, model, nullptr);
  PreTokenizedString pre = av.extract_and_normalize(nullptr, "<mask> x A<mask> <mask>, zabcab");
  std::vector<std::string> tokenized;
  for (const Split& s : pre.splits())
    if (s.tokens) tokenized.push_back(s.normalized.get());
  EXPECT_EQ(tokenized, (std::vector<std::string>{"<mask>", "<mask>", "abc", "ab"}));
}

TEST(Encoding, TruncateRightAndLeftWithStride) {
  std::vector<Token> toks;
  for (int i = 0; i < 7; ++i) toks.push_back(Token{i, std::to_string(i), {static_cast<size_t>(i), static_cast<size_t>(i + 1)}});
  Encoding e = Encoding::from_tokens(toks, 0, {});
  e.truncate(4, 1, TruncationDirection::kRight);
  EXPECT_EQ(e.ids, (std::vector<int32_t>{0, 1, 2, 3}));
  // Windows start every max_length - stride tokens and stop once one reaches the end.
  ASSERT_EQ(e.overflowing.size(), 1u);
  EXPECT_EQ(e.overflowing[0].ids, (std::vector<int32_t>{3, 4, 5, 6}));
  Encoding e2 = Encoding::from_tokens(toks, 0, {});
  e2.truncate(3, 1, TruncationDirection::kRight);
  ASSERT_EQ(e2.overflowing.size(), 2u);
  EXPECT_EQ(e2.overflowing[0].ids, (std::vector<int32_t>{2, 3, 4}));
  EXPECT_EQ(e2.overflowing[1].ids, (std::vector<int32_t>{4, 5, 6}));

  Encoding l = Encoding::from_tokens(toks, 0, {});
  l.truncate(4, 1, TruncationDirection::kLeft);
  EXPECT_EQ(l.ids, (std::vector<int32_t>{3, 4, 5, 6}));
  ASSERT_EQ(l.overflowing.size(), 1u);
  EXPECT_EQ(l.overflowing[0].ids, (std::vector<int32_t>{0, 1, 2, 3}));

  Encoding s = Encoding::from_tokens(toks, 0, {});
  EXPECT_THROW(s.truncate(3, 3, TruncationDirection::kRight), Error);
  s.pad(9, 99, 0, "[PAD]", PaddingDirection::kLeft);
  EXPECT_EQ(s.ids.front(), 99);
  EXPECT_EQ(s.attention_mask, (std::vector<int32_t>{0, 0, 1, 1, 1, 1, 1, 1, 1}));
}

TEST(Encoding, LongestFirstPairAndTemplateOverflow) {
  auto make = [](int n, int base) {
    std::vector<Token> t;
    for (int i = 0; i < n; ++i) t.push_back(Token{base + i, "t", {0, 1}});
    return Encoding::from_tokens(t, 0, {});
  };
  Encoding a = make(6, 0), b = make(3, 100);
  TruncationParams p;
  p.max_length = 7;
  truncate_encodings(a, &b, p, 2);  // 5 tokens left for the pair: 3 + 2
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(b.size(), 2u);

  // Template applied to the main encoding and to each overflowing window.
  Encoding single = make(5, 0);
  TruncationParams q;
  q.max_length = 5;
  truncate_encodings(single, nullptr, q, 2);
  using P = TemplateProcessing::Piece;
  TemplateProcessing tp({P{false, 0, "[CLS]", 0}, P{true, 0, "", 0}, P{false, 0, "[SEP]", 0}}, {P{true, 0, "", 0}},
                        {{"[CLS]", {{101}, {"[CLS]"}}}, {"[SEP]", {{102}, {"[SEP]"}}}});
  Encoding out = post_process(&tp, single, nullptr, true);
  EXPECT_EQ(out.ids, (std::vector<int32_t>{101, 0, 1, 2, 102}));
  EXPECT_EQ(out.special_tokens_mask, (std::vector<int32_t>{1, 0, 0, 0, 1}));
  ASSERT_EQ(out.overflowing.size(), 1u);
  EXPECT_EQ(out.overflowing[0].ids, (std::vector<int32_t>{101, 3, 4, 102}));
  EXPECT_EQ(tp.added_tokens(false), 2u);
}

TEST(PostProcessors, BertAndRoberta) {
  std::vector<Token> ta{{7, "hello", {0, 5}}}, tb{{8, "Ġthere", {5, 11}}};
  const Encoding a = Encoding::from_tokens(ta, 0, {}), b = Encoding::from_tokens(tb, 1, {});
  Encoding b1 = b, b2 = b;  // post_process consumes the pair encoding
  BertProcessing bert({"[SEP]", 102}, {"[CLS]", 101});
  Encoding eb = post_process(&bert, a, &b1, true);
  EXPECT_EQ(eb.ids, (std::vector<int32_t>{101, 7, 102, 8, 102}));
  EXPECT_EQ(eb.type_ids, (std::vector<int32_t>{0, 0, 0, 1, 1}));
  RobertaProcessing roberta({"</s>", 2}, {"<s>", 0}, true, false);
  Encoding er = post_process(&roberta, a, &b2, true);
  EXPECT_EQ(er.ids, (std::vector<int32_t>{0, 7, 2, 2, 8, 2}));
  EXPECT_EQ(er.type_ids, (std::vector<int32_t>(6, 0)));
  EXPECT_EQ(er.offsets[4], (Range{6, 11}));  // the leading 'Ġ' is trimmed out of the offsets
}

TEST(Decoders, EachKind) {
  EXPECT_EQ(WordPieceDecoder("##", true).decode({"hello", "##s", ",", "world", "!"}), "hellos, world!");
  EXPECT_EQ(MetaspaceDecoder(0x2581, true).decode({"\xE2\x96\x81Hey", "\xE2\x96\x81" "friend"}), "Hey friend");
  EXPECT_EQ(ByteLevelDecoder().decode({"Hello", "\xC4\xA0" "world"}), "Hello world");
  EXPECT_EQ(ByteFallbackDecoder().decode({"<0xE5>", "<0x8F>", "<0xAB>", "a", "<0xE5>"}), "\xE5\x8F\xAB" "a\xEF\xBF\xBD");
  EXPECT_EQ(StripDecoder('H', 1, 0).decode({"Hey", " friend!", "HHH"}), "ey friend!HH");
  EXPECT_EQ(BPEDecoder("</w>").decode({"hel", "lo</w>", "there</w>"}), "hello there");
  EXPECT_EQ(CTCDecoder("<pad>", "|", true).decode({"<pad>", "h", "h", "e", "l", "<pad>", "l", "o", "|", "w"}), "hello w");
  std::vector<std::unique_ptr<Decoder>> seq;
  seq.push_back(std::make_unique<ReplaceDecoder>("\xE2\x96\x81", " "));
  seq.push_back(std::make_unique<FuseDecoder>());
  seq.push_back(std::make_unique<StripDecoder>(' ', 1, 0));
  EXPECT_EQ(SequenceDecoder(std::move(seq)).decode({"\xE2\x96\x81" "a", "b", "\xE2\x96\x81" "c"}), "ab c");
  EXPECT_THROW(decoder_from_json(nlohmann::json::parse(R"({"type":"Nope"})")), Error);
}

TEST(SentencePieceModel, RejectsMalformedBytes) {
  EXPECT_THROW(parse_sentencepiece_model(""), Error);                 // no pieces
  EXPECT_THROW(parse_sentencepiece_model("\x0a\xff"), Error);         // truncated length
  EXPECT_THROW(parse_sentencepiece_model(std::string("\x0a\x03\x0a\x01" "a", 5)), Error);  // no <unk>
  // One <unk> piece (type 2) and one normal piece.
  const std::string unk = std::string("\x0a\x09\x0a\x05<unk>\x18\x02", 11);
  const std::string a = std::string("\x0a\x03\x0a\x01" "a", 5);
  const std::string bytes = unk + a;  // the model reads its pieces from these bytes
  SentencePieceModel m = parse_sentencepiece_model(bytes);
  ASSERT_EQ(m.piece_count, 2u);
  EXPECT_EQ(m.unk_id, 0);
  EXPECT_EQ(m.piece_list()[1].piece, "a");
  EXPECT_TRUE(m.add_dummy_prefix);
}
