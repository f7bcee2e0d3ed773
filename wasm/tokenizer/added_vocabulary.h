// Added / special tokens (HF tokenizer/added_vocabulary.rs): tokens matched in the raw input
// before the model runs, with lstrip / rstrip / single_word / normalized flags. Tokens with
// normalized=false are matched on the original text, the others on the normalized pieces that
// remain. Matching is leftmost-longest (HF's Aho-Corasick MatchKind::LeftmostLongest) through a
// byte trie: O(text bytes * longest added token).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tokenizer/models/trie.h"
#include "tokenizer/pre_tokenized_string.h"

namespace wasmbed::tok {

class Model;
class Normalizer;

struct AddedToken {
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
  bool operator==(const AddedToken& o) const {
    return content == o.content && single_word == o.single_word && lstrip == o.lstrip && rstrip == o.rstrip &&
           normalized == o.normalized && special == o.special;
  }
};

class AddedVocabulary {
 public:
  // HF add_tokens / add_special_tokens: a token already in the model (or added before) keeps
  // that id; a new one gets the next id after the model vocabulary / previous added tokens.
  // Rebuilds the matchers (normalized tokens are matched in their normalized form). Returns
  // how many were added (empty or identical duplicates are ignored).
  size_t add_tokens(const std::vector<AddedToken>& tokens, const Model& model, const Normalizer* normalizer);

  // Added token id, else the model's; -1 when neither has it.
  int32_t token_to_id(std::string_view token, const Model& model) const;
  // The added token with this id, if any.
  const AddedToken* added_token(int32_t id) const;
  bool is_special_token(std::string_view content) const { return special_set_.count(std::string(content)) != 0; }
  // Number of added tokens (distinct contents).
  size_t size() const { return map_.size(); }
  // Added tokens whose content the model vocabulary does not have (HF get_vocab_size(true) adds these).
  size_t count_outside_model(const Model& model) const;

  // Splits `text` around added tokens (which get their token), normalizing the other pieces.
  PreTokenizedString extract_and_normalize(const Normalizer* normalizer, std::string_view text) const;

  // For fast paths, which handle only texts without added tokens: whether some token is matched
  // on normalized text, and whether any raw (normalized=false) token occurs anywhere in `text`.
  bool has_normalized_tokens() const { return !normalized_.empty; }
  bool raw_token_in(std::string_view text) const;

 private:
  struct Matcher {
    ByteTrie trie;       // pattern -> index into ids
    std::vector<int32_t> ids;
    bool empty = true;
  };
  void refresh(const Model& model, const Normalizer* normalizer);
  // Byte ranges of `sentence` covered by added tokens ({id, range}) or not ({-1, range}).
  std::vector<std::pair<int32_t, Range>> find_matches(std::string_view sentence, const Matcher& m) const;
  std::vector<NormalizedString> split_with_indices(NormalizedString&& s, const Matcher& m,
                                                   std::vector<std::optional<Token>>& tokens) const;

  std::unordered_map<std::string, int32_t> map_;    // content -> id
  std::unordered_map<int32_t, AddedToken> map_r_;   // id -> token
  std::vector<AddedToken> added_;                   // non-special, in insertion order
  std::vector<AddedToken> special_;                 // special, in insertion order
  std::unordered_set<std::string> special_set_;
  Matcher raw_, normalized_;
};

}  // namespace wasmbed::tok
