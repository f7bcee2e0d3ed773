#include "tokenizer/tokenizer_json_reader.h"

#include <string>
#include <utility>

#include "common/error.h"
#include "tokenizer/json_limits.h"

namespace wasmbed::tok {

namespace {

using nlohmann::json;

// nlohmann's SAX interface: every event goes to its own DOM builder, except those of the
// model.vocab array, which fill `vocab`. The parser itself is iterative; depth_ counts the open
// containers.
class Reader {
 public:
  Reader(TokenizerJson& out, size_t text_size) : out_(out), dom_(out.json, true), text_size_(text_size) {}

  bool null() { return value([&] { return dom_.null(); }); }
  bool boolean(bool v) { return value([&] { return dom_.boolean(v); }); }
  bool number_integer(json::number_integer_t v) {
    if (in_vocab_) return vocab_score(static_cast<double>(v));
    return value([&] { return dom_.number_integer(v); });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (in_vocab_) return vocab_score(static_cast<double>(v));
    return value([&] { return dom_.number_unsigned(v); });
  }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    if (in_vocab_) return vocab_score(v);
    return value([&] { return dom_.number_float(v, s); });
  }
  bool string(json::string_t& s) {
    if (in_vocab_) {
      if (depth_ != kEntryDepth || field_ != 0) bad_entry();
      pieces_->push_back(UnigramPiece{std::move(s), 0.0, PieceType::kNormal});
      field_ = 1;
      return true;
    }
    return value([&] { return dom_.string(s); });
  }
  bool binary(json::binary_t& b) { return value([&] { return dom_.binary(b); }); }

  bool start_object(std::size_t n) {
    if (in_vocab_) bad_entry();
    enter();
    flush_key();
    if (depth_ == 2 && model_key_) in_model_ = true;
    model_key_ = false;
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    if (in_vocab_) bad_entry();
    model_key_ = depth_ == 1 && k == "model";
    if (in_model_ && depth_ == 2 && k == "vocab") {
      vocab_key_ = true;  // held back until we see whether the value is an array
      return true;
    }
    return dom_.key(k);
  }
  bool end_object() {
    if (in_vocab_) bad_entry();
    if (depth_ == 2) in_model_ = false;
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (vocab_key_) {
      vocab_key_ = false;
      in_vocab_ = true;
      out_.unigram_vocab.emplace();
      pieces_ = &*out_.unigram_vocab;
      // The parser does not know the array's length: guess it from the document size (an
      // indented [piece, score] entry of XLM-R is ~60 bytes) so the vector rarely regrows.
      pieces_->reserve(text_size_ / 64);
      vocab_depth_ = depth_ + 1;
      enter();
      return true;
    }
    if (in_vocab_) {
      // One [piece, score] entry.
      if (depth_ != vocab_depth_) bad_entry();
      enter();
      field_ = 0;
      return true;
    }
    enter();
    flush_key();
    model_key_ = false;
    return dom_.start_array(n);
  }
  bool end_array() {
    if (in_vocab_) {
      if (depth_ == vocab_depth_) {
        in_vocab_ = false;
      } else if (field_ != 2) {
        bad_entry();
      }
      --depth_;
      return true;
    }
    --depth_;
    return dom_.end_array();
  }
  template <class Exception>
  bool parse_error(std::size_t pos, const std::string& token, const Exception& e) {
    return dom_.parse_error(pos, token, e);
  }

 private:
  static constexpr int kEntryDepth = 4;  // top object, model, vocab, entry

  template <class F>
  bool value(F&& emit) {
    if (in_vocab_) bad_entry();
    flush_key();
    model_key_ = false;
    return emit();
  }
  void enter() {
    if (++depth_ > kMaxJsonDepth)
      fail(ErrorCode::kCapacity, "tokenizer.json: JSON nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  // A held-back "vocab" key whose value turned out not to be an array goes to the DOM after all.
  void flush_key() {
    if (!vocab_key_) return;
    vocab_key_ = false;
    json::string_t k = "vocab";
    dom_.key(k);
  }
  bool vocab_score(double v) {
    if (depth_ != kEntryDepth || field_ != 1) bad_entry();
    pieces_->back().score = v;
    field_ = 2;
    return true;
  }
  [[noreturn]] void bad_entry() const {
    const size_t i = pieces_ && !pieces_->empty() && field_ != 0 ? pieces_->size() - 1 : (pieces_ ? pieces_->size() : 0);
    fail(ErrorCode::kParse, "tokenizer.json: model.vocab[" + std::to_string(i) + "] must be [string, number]");
  }

  TokenizerJson& out_;
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  size_t text_size_;
  std::vector<UnigramPiece>* pieces_ = nullptr;
  int depth_ = 0;
  int vocab_depth_ = 0;
  int field_ = 0;  // inside an entry: 0 before the piece, 1 before the score, 2 after it
  bool model_key_ = false;
  bool in_model_ = false;
  bool vocab_key_ = false;
  bool in_vocab_ = false;
};

}  // namespace

TokenizerJson read_tokenizer_json(std::string_view text) {
  TokenizerJson out;
  Reader reader(out, text.size());
  try {
    json::sax_parse(text.begin(), text.end(), &reader);
  } catch (const json::parse_error& e) {
    fail(ErrorCode::kParse, "tokenizer.json: invalid JSON at byte " + std::to_string(e.byte));
  }
  return out;
}

}  // namespace wasmbed::tok
