#include "tokenizer/fast/fast_path.h"

#include <vector>

#include "tokenizer/added_vocabulary.h"
#include "tokenizer/fast/bert_wordpiece.h"
#include "tokenizer/fast/metaspace_unigram.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/models/wordpiece.h"
#include "tokenizer/normalizers/basic.h"
#include "tokenizer/normalizers/bert.h"
#include "tokenizer/normalizers/precompiled.h"
#include "tokenizer/pre_tokenizers/bert.h"
#include "tokenizer/pre_tokenizers/metaspace.h"

namespace wasmbed::tok {

namespace {

// The normalizer as MetaspaceUnigramFast steps; false when some part is not one it does.
bool unigram_steps(const Normalizer& n, std::vector<MetaspaceUnigramFast::Step>& steps) {
  using Step = MetaspaceUnigramFast::Step;
  if (const auto* seq = dynamic_cast<const SequenceNormalizer*>(&n)) {
    for (const auto& part : seq->normalizers())
      if (!part || !unigram_steps(*part, steps)) return false;
    return true;
  }
  if (const auto* p = dynamic_cast<const Precompiled*>(&n)) {
    Step s;
    s.kind = Step::kPrecompiled;
    s.normalizer = p;
    s.precompiled = p;
    steps.push_back(std::move(s));
    return true;
  }
  if (const auto* p = dynamic_cast<const StripNormalizer*>(&n)) {
    Step s;
    s.kind = Step::kStrip;
    s.normalizer = p;
    s.left = p->left();
    s.right = p->right();
    steps.push_back(std::move(s));
    return true;
  }
  if (const auto* p = dynamic_cast<const ReplaceNormalizer*>(&n)) {
    if (p->regex_pattern() != " {2,}") return false;
    Step s;
    s.kind = Step::kCollapseSpaces;
    s.normalizer = p;
    s.content = p->content();
    steps.push_back(std::move(s));
    return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<FastPath> make_fast_path(const Normalizer* normalizer, const PreTokenizer* pre_tokenizer,
                                         const Model* model, const AddedVocabulary* added) {
  if (!model || !pre_tokenizer || !added || added->has_normalized_tokens()) return nullptr;
  if (const auto* wp = dynamic_cast<const WordPiece*>(model)) {
    if (!dynamic_cast<const BertPreTokenizer*>(pre_tokenizer)) return nullptr;
    const auto* bert = dynamic_cast<const BertNormalizer*>(normalizer);
    if (normalizer && !bert) return nullptr;
    return std::make_unique<BertWordPieceFast>(bert, *wp, *added);
  }
  if (const auto* uni = dynamic_cast<const Unigram*>(model)) {
    const auto* metaspace = dynamic_cast<const Metaspace*>(pre_tokenizer);
    if (!metaspace) return nullptr;
    std::vector<MetaspaceUnigramFast::Step> steps;
    if (normalizer && !unigram_steps(*normalizer, steps)) return nullptr;
    return std::make_unique<MetaspaceUnigramFast>(std::move(steps), *metaspace, *uni, *added);
  }
  return nullptr;
}

}  // namespace wasmbed::tok
