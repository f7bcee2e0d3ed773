#include <string_view>

#include "common/error.h"
#include "tokenizer/post_processors/post_processor.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

// An encoding made of special tokens only (offsets {0,0}, special mask 1).
Encoding special_encoding(const std::vector<int32_t>& ids, const std::vector<std::string>& tokens, int32_t type_id) {
  Encoding e;
  e.ids = ids;
  e.tokens = tokens;
  const size_t n = ids.size();
  e.type_ids.assign(n, type_id);
  e.offsets.assign(n, Range{0, 0});
  e.special_tokens_mask.assign(n, 1);
  e.attention_mask.assign(n, 1);
  e.word_ids.assign(n, -1);
  e.sequence_ids.assign(n, -1);
  return e;
}

// Wraps `e` (and each of its overflowing windows) as [before] e [after]; type ids of the
// specials are `special_type`; when `content_type` >= 0 the content's type ids are overwritten.
Encoding wrap(Encoding e, const std::pair<std::string, int32_t>* before, const std::pair<std::string, int32_t>& after,
              int32_t special_type, int32_t content_type) {
  std::vector<Encoding> windows = std::move(e.overflowing);
  e.overflowing.clear();
  auto one = [&](Encoding& x) {
    if (content_type >= 0) std::fill(x.type_ids.begin(), x.type_ids.end(), content_type);
    Encoding out;
    if (before) out = special_encoding({before->second}, {before->first}, special_type);
    Encoding content = std::move(x);
    content.overflowing.clear();
    out.merge_with(std::move(content));
    out.merge_with(special_encoding({after.second}, {after.first}, special_type));
    return out;
  };
  Encoding head = one(e);
  for (Encoding& w : windows) head.overflowing.push_back(one(w));
  return head;
}

bool is_byte_level_space(char32_t c) { return c == 0x0120 || unicode::is_whitespace(c); }

}  // namespace

Encoding post_process(const PostProcessor* processor, Encoding first, Encoding* second, bool add_special_tokens) {
  std::vector<Encoding> encodings;
  encodings.push_back(std::move(first));
  if (second) encodings.push_back(std::move(*second));
  for (size_t i = 0; i < encodings.size(); ++i) encodings[i].set_sequence_id(static_cast<int32_t>(i));
  if (processor) encodings = processor->process_encodings(std::move(encodings), add_special_tokens);
  if (encodings.empty()) return Encoding();
  bool windows = false;
  size_t total = 0;
  for (const Encoding& e : encodings) {
    windows = windows || !e.overflowing.empty();
    total += e.size();
  }
  Encoding out;
  if (windows) {
    out = std::move(encodings[0]);
  } else {
    // No overflowing windows (the usual case): merging is plain appending, into one allocation.
    out.reserve(total);
    out.merge_with(std::move(encodings[0]));
  }
  for (size_t i = 1; i < encodings.size(); ++i) out.merge_with(std::move(encodings[i]));
  return out;
}

void trim_byte_level_offsets(Encoding& encoding, bool add_prefix_space) {
  for (size_t i = 0; i < encoding.size(); ++i) {
    const std::string& token = encoding.tokens[i];
    Range& off = encoding.offsets[i];
    std::vector<char32_t> chars;
    for (size_t p = 0; p < token.size();) {
      size_t len = 0;
      chars.push_back(unicode::decode(token, p, len));
      p += len;
    }
    size_t leading = 0, trailing = 0;
    while (leading < chars.size() && is_byte_level_space(chars[leading])) ++leading;
    while (trailing < chars.size() && is_byte_level_space(chars[chars.size() - 1 - trailing])) ++trailing;
    if (leading > 0) {
      const bool is_first = i == 0 || off.first == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      off.first = std::min(off.first + leading, off.second);
    }
    if (trailing > 0 && off.second >= trailing) off.second = std::max(off.second - trailing, off.first);
  }
  for (Encoding& o : encoding.overflowing) trim_byte_level_offsets(o, add_prefix_space);
}

std::vector<Encoding> BertProcessing::process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const {
  if (!add_special_tokens) return encodings;
  for (size_t i = 0; i < encodings.size(); ++i) {
    // Specials take the type id of their sequence: 0 for A, 1 for B (HF bert.rs).
    if (i == 0) encodings[i] = wrap(std::move(encodings[i]), &cls_, sep_, 0, -1);
    else encodings[i] = wrap(std::move(encodings[i]), nullptr, sep_, 1, -1);
  }
  return encodings;
}

std::vector<Encoding> RobertaProcessing::process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const {
  if (trim_offsets_)
    for (Encoding& e : encodings) trim_byte_level_offsets(e, add_prefix_space_);
  for (Encoding& e : encodings) std::fill(e.type_ids.begin(), e.type_ids.end(), 0);
  if (!add_special_tokens) return encodings;
  for (size_t i = 0; i < encodings.size(); ++i) {
    if (i == 0) encodings[i] = wrap(std::move(encodings[i]), &cls_, sep_, 0, 0);
    else encodings[i] = wrap(std::move(encodings[i]), &sep_, sep_, 0, 0);
  }
  return encodings;
}

std::vector<Encoding> ByteLevelProcessing::process_encodings(std::vector<Encoding> encodings, bool) const {
  if (trim_offsets_)
    for (Encoding& e : encodings) trim_byte_level_offsets(e, add_prefix_space_);
  return encodings;
}

TemplateProcessing::TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair,
                                       std::vector<std::pair<std::string, SpecialToken>> special_tokens)
    : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(special_tokens)) {
  for (int which = 0; which < 2; ++which) {
    size_t n = 0;
    for (const Piece& p : which == 0 ? single_ : pair_) {
      if (p.is_sequence) {
        if (which == 0 && p.sequence != 0)
          fail(ErrorCode::kParse, "tokenizer.json: TemplateProcessing single template may only use $A");
        continue;
      }
      n += special(p.special).ids.size();  // throws when the template names an unknown special
    }
    (which == 0 ? added_single_ : added_pair_) = n;
  }
  size_t sequences = 0;
  bool consistent = true;
  for (const Piece& p : single_) {
    if (p.is_sequence) {
      ++sequences;
      single_type_id_ = p.type_id;
      continue;
    }
    const SpecialToken& s = special(p.special);
    consistent = consistent && s.ids.size() == s.tokens.size();
    for (size_t k = 0; k < s.ids.size() && k < s.tokens.size(); ++k)
      (sequences == 0 ? single_before_ : single_after_).push_back(Fixed{s.ids[k], s.tokens[k], p.type_id});
  }
  in_place_ok_ = sequences == 1 && consistent;
}

const TemplateProcessing::SpecialToken& TemplateProcessing::special(const std::string& name) const {
  for (const auto& s : specials_)
    if (s.first == name) return s.second;
  fail(ErrorCode::kParse, "tokenizer.json: TemplateProcessing uses special token '" + name +
                              "' missing from special_tokens");
}

std::vector<Encoding> TemplateProcessing::process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const {
  const std::vector<Piece>& tpl = encodings.size() == 2 ? pair_ : single_;
  std::vector<Encoding> out;
  out.reserve(tpl.size());
  for (size_t k = 0; k < tpl.size(); ++k) {
    const Piece& p = tpl[k];
    if (p.is_sequence) {
      const size_t i = p.sequence == 0 ? 0 : 1;
      if (i >= encodings.size()) fail(ErrorCode::kInvalidArgument, "TemplateProcessing: template needs $B but no pair was given");
      // The last use of a sequence takes it; earlier ones (a template may repeat $A) copy.
      bool used_again = false;
      for (size_t j = k + 1; j < tpl.size(); ++j) used_again = used_again || (tpl[j].is_sequence && tpl[j].sequence == p.sequence);
      Encoding e = used_again ? encodings[i] : std::move(encodings[i]);
      // HF set_type_ids / set_sequence_id touch this level only, not the overflowing windows.
      std::fill(e.type_ids.begin(), e.type_ids.end(), p.type_id);
      e.set_sequence_id(static_cast<int32_t>(i));
      out.push_back(std::move(e));
    } else if (add_special_tokens) {
      const SpecialToken& s = special(p.special);
      out.push_back(special_encoding(s.ids, s.tokens, p.type_id));
    }
  }
  return out;
}

bool TemplateProcessing::process_single_in_place(Encoding& e, bool add_special_tokens) const {
  if (!in_place_ok_ || !e.overflowing.empty()) return false;
  // Same result as process_encodings + merge: the specials before $A, $A with the template's
  // type id and sequence id 0, the specials after.
  std::fill(e.type_ids.begin(), e.type_ids.end(), single_type_id_);
  e.set_sequence_id(0);
  if (!add_special_tokens) return true;
  const size_t n_before = single_before_.size(), n_after = single_after_.size();
  if (n_before + n_after == 0) return true;
  const size_t n = e.size();
  // Grow every field once and shift the sequence right by n_before.
  const auto place = [&](auto& v, auto fill) {
    v.resize(n + n_before + n_after, fill);
    if (n_before) std::move_backward(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.begin() + static_cast<std::ptrdiff_t>(n + n_before));
  };
  place(e.ids, 0);
  place(e.type_ids, 0);
  place(e.tokens, std::string());
  place(e.offsets, Range{0, 0});
  place(e.special_tokens_mask, 1);
  place(e.attention_mask, 1);
  place(e.word_ids, -1);
  place(e.sequence_ids, -1);
  const auto put = [&](const std::vector<Fixed>& specials, size_t at) {
    for (const Fixed& f : specials) {
      e.ids[at] = f.id;
      e.tokens[at] = f.token;
      e.type_ids[at] = f.type_id;
      e.offsets[at] = Range{0, 0};
      e.special_tokens_mask[at] = 1;
      e.attention_mask[at] = 1;
      e.word_ids[at] = -1;
      e.sequence_ids[at] = -1;
      ++at;
    }
  };
  put(single_before_, 0);
  put(single_after_, n_before + n);
  return true;
}

size_t SequenceProcessing::added_tokens(bool is_pair) const {
  size_t n = 0;
  for (const auto& p : processors_) n += p->added_tokens(is_pair);
  return n;
}

std::vector<Encoding> SequenceProcessing::process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const {
  for (const auto& p : processors_) encodings = p->process_encodings(std::move(encodings), add_special_tokens);
  return encodings;
}

}  // namespace wasmbed::tok
