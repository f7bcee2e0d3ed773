// Tokenizer::from_sentencepiece: builds the pipeline for a SentencePiece .model.
//  - kPlain: SentencePiece's own normalizer + the unigram / BPE encoder with SentencePiece's
//    rules, so ids equal spm_encode's; no special tokens are added.
//  - kXlmRoberta: exactly what transformers' XLMRobertaConverter writes into tokenizer.json
//    (fairseq ids, Precompiled + Replace(" {2,}", " ") normalizer, Metaspace pre-tokenizer,
//    <s> $A </s> template, <mask> with lstrip), so ids equal the HF tokenizer.json's.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/decoders/decoder.h"
#include "tokenizer/models/sentencepiece_bpe.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/normalizers/basic.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/post_processors/post_processor.h"
#include "tokenizer/pre_tokenizers/metaspace.h"
#include "tokenizer/sentencepiece_model.h"
#include "tokenizer/sentencepiece_normalizer.h"
#include "tokenizer/tokenizer.h"

namespace wasmbed::tok {

namespace {

constexpr char32_t kMetaspace = 0x2581;

std::unique_ptr<Decoder> spm_decoder(bool strip_leading_space) {
  // The decoder transformers uses for SentencePiece BPE / byte-fallback models: ▁ -> ' ',
  // <0xXX> runs -> bytes, join, drop the dummy-prefix space.
  std::vector<std::unique_ptr<Decoder>> list;
  list.push_back(std::make_unique<ReplaceDecoder>("\xE2\x96\x81", " "));
  list.push_back(std::make_unique<ByteFallbackDecoder>());
  list.push_back(std::make_unique<FuseDecoder>());
  if (strip_leading_space) list.push_back(std::make_unique<StripDecoder>(' ', 1, 0));
  return std::make_unique<SequenceDecoder>(std::move(list));
}

std::unique_ptr<Tokenizer> plain(const SentencePieceModel& m, const std::function<void()>& done_with_input) {
  auto tok = std::make_unique<Tokenizer>();
  SentencePieceNormalizerOptions o;
  o.add_dummy_prefix = m.add_dummy_prefix;
  o.remove_extra_whitespaces = m.remove_extra_whitespaces;
  o.escape_whitespaces = m.escape_whitespaces;
  o.treat_whitespace_as_suffix = m.treat_whitespace_as_suffix;
  std::unique_ptr<Precompiled> charsmap;
  if (!m.precompiled_charsmap.empty()) charsmap = Precompiled::from_bytes(m.precompiled_charsmap);
  tok->set_normalizer(std::make_unique<SentencePieceNormalizer>(std::move(charsmap), m.user_defined, o));
  if (m.model_type == SentencePieceModel::Type::kUnigram) {
    UnigramVocab vocab;
    vocab.reserve(m.piece_count, m.piece_bytes);
    m.for_each_piece([&](std::string_view piece, float score, PieceType type) { vocab.push_back(piece, score, type); });
    if (done_with_input) done_with_input();
    tok->set_model(Unigram::sentencepiece(std::move(vocab), m.unk_id, m.byte_fallback));
  } else {
    std::vector<UnigramPiece> pieces = m.piece_list();
    if (done_with_input) done_with_input();
    tok->set_model(std::make_unique<SentencePieceBpe>(std::move(pieces), m.unk_id, m.byte_fallback));
  }
  tok->set_decoder(spm_decoder(o.add_dummy_prefix && !o.treat_whitespace_as_suffix));
  return tok;
}

std::unique_ptr<Tokenizer> xlm_roberta(const SentencePieceModel& m, const std::function<void()>& done_with_input) {
  if (m.model_type != SentencePieceModel::Type::kUnigram)
    fail(ErrorCode::kUnsupported, "sentencepiece model: the xlm-roberta flavor needs a unigram model");
  if (m.piece_count < 3) fail(ErrorCode::kParse, "sentencepiece model: too few pieces for the xlm-roberta flavor");
  // XLMRobertaConverter.vocab: fairseq's four specials, the pieces after the first three
  // (<unk>, <s>, </s> in the .model) keep their scores, <mask> last.
  UnigramVocab vocab;
  vocab.reserve(m.piece_count + 2, m.piece_bytes + 32);
  for (const char* s : {"<s>", "<pad>", "</s>", "<unk>"}) vocab.push_back(s, 0.0);
  size_t i = 0;
  m.for_each_piece([&](std::string_view piece, float score, PieceType) {
    if (i++ >= 3) vocab.push_back(piece, score);
  });
  vocab.push_back("<mask>", 0.0);
  const int32_t mask_id = static_cast<int32_t>(vocab.size() - 1);
  std::vector<std::string> user_defined;
  if (!m.user_defined.empty()) {
    // User-defined pieces among the first three are dropped with them.
    size_t k = 0;
    m.for_each_piece([&](std::string_view piece, float, PieceType type) {
      if (k++ >= 3 && type == PieceType::kUserDefined) user_defined.emplace_back(piece);
    });
  }
  if (done_with_input) done_with_input();

  auto tok = std::make_unique<Tokenizer>();
  std::vector<std::unique_ptr<Normalizer>> norms;
  if (!m.precompiled_charsmap.empty()) norms.push_back(Precompiled::from_bytes(m.precompiled_charsmap));
  norms.push_back(ReplaceNormalizer::regex(" {2,}", " "));
  tok->set_normalizer(std::make_unique<SequenceNormalizer>(std::move(norms)));
  tok->set_pre_tokenizer(std::make_unique<Metaspace>(kMetaspace, PrependScheme::kAlways, true));
  tok->set_model(std::make_unique<Unigram>(std::move(vocab), 3, false));

  using Piece = TemplateProcessing::Piece;
  std::vector<Piece> single{{false, 0, "<s>", 0}, {true, 0, "", 0}, {false, 0, "</s>", 0}};
  std::vector<Piece> pair{{false, 0, "<s>", 0}, {true, 0, "", 0}, {false, 0, "</s>", 0},
                          {false, 0, "</s>", 0}, {true, 1, "", 0}, {false, 0, "</s>", 0}};
  std::vector<std::pair<std::string, TemplateProcessing::SpecialToken>> specials{
      {"<s>", {{0}, {"<s>"}}}, {"</s>", {{2}, {"</s>"}}}};
  tok->set_post_processor(std::make_unique<TemplateProcessing>(std::move(single), std::move(pair), std::move(specials)));
  tok->set_decoder(std::make_unique<MetaspaceDecoder>(kMetaspace, true));

  std::vector<AddedToken> added;
  for (const char* s : {"<s>", "<pad>", "</s>", "<unk>"}) {
    AddedToken t;
    t.content = s;
    t.special = true;
    t.normalized = false;
    added.push_back(t);
  }
  AddedToken mask;
  mask.content = "<mask>";
  mask.special = true;
  mask.normalized = false;
  mask.lstrip = true;
  added.push_back(mask);
  for (const std::string& u : user_defined) {
    AddedToken t;
    t.content = u;
    t.normalized = false;
    added.push_back(t);
  }
  tok->add_tokens(added);
  if (tok->token_to_id("<mask>") != mask_id) fail(ErrorCode::kInternal, "xlm-roberta flavor: <mask> id mismatch");
  tok->set_padding(std::nullopt);
  return tok;
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_sentencepiece(std::string_view model_bytes, SentencePieceFlavor flavor,
                                                         const std::function<void()>& done_with_input) {
  SentencePieceModel m = parse_sentencepiece_model(model_bytes);
  if (m.model_type != SentencePieceModel::Type::kUnigram && m.model_type != SentencePieceModel::Type::kBpe)
    fail(ErrorCode::kUnsupported, "sentencepiece model: model_type WORD / CHAR is not supported");
  return flavor == SentencePieceFlavor::kPlain ? plain(m, done_with_input) : xlm_roberta(m, done_with_input);
}

}  // namespace wasmbed::tok
