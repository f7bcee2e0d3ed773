// Post-processors (HF processors/*): add special tokens around the sequence encodings and merge
// them into one Encoding. `process_encodings` gets one encoding per input sequence (with their
// overflowing windows) and returns the pieces to concatenate; `post_process` does the merge.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/encoding.h"

namespace wasmbed::tok {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // Number of special tokens added to a single / pair input.
  virtual size_t added_tokens(bool is_pair) const = 0;
  virtual std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const = 0;
  // Shortcut for one sequence without overflowing windows: does what post_process() would, in
  // `e` itself (no temporary encodings). False when this processor has none (or it does not
  // apply); `e` is untouched then.
  virtual bool process_single_in_place(Encoding& /*e*/, bool /*add_special_tokens*/) const { return false; }
};

// HF PostProcessor::process (or default_process when `processor` is null): sets sequence ids,
// applies the processor and merges everything (HF Encoding::merge) into one encoding.
// `*second` (when given) is moved from.
Encoding post_process(const PostProcessor* processor, Encoding first, Encoding* second, bool add_special_tokens);

// {"type":"BertProcessing","sep":["[SEP]",102],"cls":["[CLS]",101]}: [CLS] A [SEP] (B [SEP]),
// B's type id 1.
class BertProcessing : public PostProcessor {
 public:
  BertProcessing(std::pair<std::string, int32_t> sep, std::pair<std::string, int32_t> cls)
      : sep_(std::move(sep)), cls_(std::move(cls)) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 3 : 2; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override;

 private:
  std::pair<std::string, int32_t> sep_, cls_;
};

// <s> A </s> (</s> B </s>), every type id 0; trims whitespace out of offsets (ByteLevel rules).
class RobertaProcessing : public PostProcessor {
 public:
  RobertaProcessing(std::pair<std::string, int32_t> sep, std::pair<std::string, int32_t> cls, bool trim_offsets,
                    bool add_prefix_space)
      : sep_(std::move(sep)), cls_(std::move(cls)), trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 4 : 2; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override;

 private:
  std::pair<std::string, int32_t> sep_, cls_;
  bool trim_offsets_, add_prefix_space_;
};

// ByteLevel post-processor: only trims offsets (when trim_offsets).
class ByteLevelProcessing : public PostProcessor {
 public:
  ByteLevelProcessing(bool trim_offsets, bool add_prefix_space)
      : trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool) const override { return 0; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override;

 private:
  bool trim_offsets_, add_prefix_space_;
};

// TemplateProcessing: "single" / "pair" templates of $A / $B / special tokens with type ids.
class TemplateProcessing : public PostProcessor {
 public:
  struct Piece {
    bool is_sequence;
    int sequence;         // 0 = A, 1 = B (when is_sequence)
    std::string special;  // special token name (when !is_sequence)
    int32_t type_id;
  };
  struct SpecialToken {
    std::vector<int32_t> ids;
    std::vector<std::string> tokens;
  };
  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair,
                     std::vector<std::pair<std::string, SpecialToken>> special_tokens);
  size_t added_tokens(bool is_pair) const override { return is_pair ? added_pair_ : added_single_; }
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override;
  bool process_single_in_place(Encoding& e, bool add_special_tokens) const override;

 private:
  const SpecialToken& special(const std::string& name) const;
  // The single template flattened for process_single_in_place: the special tokens before and
  // after $A. Set up when the template has exactly one $A (in_place_ok_).
  struct Fixed {
    int32_t id;
    std::string token;
    int32_t type_id;
  };
  std::vector<Fixed> single_before_, single_after_;
  int32_t single_type_id_ = 0;
  bool in_place_ok_ = false;
  std::vector<Piece> single_, pair_;
  std::vector<std::pair<std::string, SpecialToken>> specials_;
  size_t added_single_ = 0, added_pair_ = 0;
};

class SequenceProcessing : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> processors)
      : processors_(std::move(processors)) {}
  size_t added_tokens(bool is_pair) const override;
  std::vector<Encoding> process_encodings(std::vector<Encoding> encodings, bool add_special_tokens) const override;

 private:
  std::vector<std::unique_ptr<PostProcessor>> processors_;
};

// HF byte_level::process_offsets: moves offsets past leading / trailing spaces ('Ġ' or Unicode
// whitespace) of each token, keeping the one prefix space a first token got from add_prefix_space.
void trim_byte_level_offsets(Encoding& encoding, bool add_prefix_space);

// From the "post_processor" object of a tokenizer.json. Throws kParse / kUnsupported
// ("tokenizer.json: post_processor type 'X' is not supported").
// depth: how many Sequences enclose j (a CapacityError past kMaxSectionNesting).
std::unique_ptr<PostProcessor> post_processor_from_json(const nlohmann::json& j, int depth = 0);

}  // namespace wasmbed::tok
