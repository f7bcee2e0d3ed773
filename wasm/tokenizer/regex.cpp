#include "tokenizer/regex.h"

#include "common/error.h"
#include "oniguruma.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

// oniguruma needs a one-time global initialisation of the encodings it will use.
void ensure_onig_initialized() {
  static const bool initialized = [] {
    OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
    onig_initialize(encodings, 1);
    return true;
  }();
  (void)initialized;
}

const OnigUChar* uchars(const char* p) { return reinterpret_cast<const OnigUChar*>(p); }

// Backtracking budget of one search (one match attempt, and all start positions tried by one
// onig_search). The patterns tokenizers use need a few steps per char; a catastrophic pattern
// from a hostile tokenizer.json (e.g. "(a*)*b") would otherwise run for hours on a long input.
// Past the budget the search fails with a clear error instead.
constexpr unsigned long kRetryLimitInMatch = 1000000;
constexpr unsigned long kRetryLimitInSearch = 10000000;

}  // namespace

struct Regex::Impl {
  OnigRegex regex = nullptr;
  OnigRegion* region = nullptr;
  OnigMatchParam* params = nullptr;
  ~Impl() {
    if (params) onig_free_match_param(params);
    if (region) onig_region_free(region, 1);
    if (regex) onig_free(regex);
  }
};

Regex::Regex(std::string_view pattern) : impl_(std::make_unique<Impl>()), pattern_(pattern) {
  ensure_onig_initialized();
  if (!unicode::is_valid_utf8(pattern)) fail(ErrorCode::kParse, "tokenizer.json: regex pattern is not valid UTF-8");
  OnigErrorInfo einfo;
  // onig::Regex::new uses no options and the default (Oniguruma) syntax; so do we.
  const int r = onig_new(&impl_->regex, uchars(pattern_.data()), uchars(pattern_.data() + pattern_.size()),
                         ONIG_OPTION_NONE, ONIG_ENCODING_UTF8, ONIG_SYNTAX_ONIGURUMA, &einfo);
  if (r != ONIG_NORMAL) {
    OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(msg, r, &einfo);
    impl_->regex = nullptr;
    fail(ErrorCode::kParse, "tokenizer.json: invalid regex '" + pattern_ + "': " + reinterpret_cast<char*>(msg));
  }
  impl_->region = onig_region_new();
  impl_->params = onig_new_match_param();
  if (!impl_->region || !impl_->params) fail(ErrorCode::kCapacity, "regex: out of memory");
  onig_initialize_match_param(impl_->params);
  onig_set_retry_limit_in_match_of_match_param(impl_->params, kRetryLimitInMatch);
  onig_set_retry_limit_in_search_of_match_param(impl_->params, kRetryLimitInSearch);
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

std::vector<Range> Regex::find_all(std::string_view text) const {
  std::vector<Range> out;
  const char* base = text.data() ? text.data() : "";
  const OnigUChar* str = uchars(base);
  const OnigUChar* end = uchars(base + text.size());
  size_t last_end = 0;
  bool have_last_match = false;
  size_t last_match_end = 0;
  // Mirrors the onig crate's FindMatches iterator: an empty match right where the previous
  // match ended is skipped by advancing one char (no infinite loop, same results as HF).
  while (last_end <= text.size()) {
    onig_region_clear(impl_->region);
    const int r = onig_search_with_param(impl_->regex, str, end, str + last_end, end, impl_->region, ONIG_OPTION_NONE,
                                         impl_->params);
    if (r == ONIG_MISMATCH) break;
    if (r == ONIGERR_RETRY_LIMIT_IN_MATCH_OVER || r == ONIGERR_RETRY_LIMIT_IN_SEARCH_OVER) {
      fail(ErrorCode::kCapacity, "regex '" + pattern_ + "' needs too much backtracking on this input (more than " +
                                     std::to_string(r == ONIGERR_RETRY_LIMIT_IN_MATCH_OVER ? kRetryLimitInMatch
                                                                                          : kRetryLimitInSearch) +
                                     " steps); the tokenizer.json pattern is unsuitable for this text");
    }
    if (r < 0) {
      OnigUChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
      onig_error_code_to_str(msg, r);
      fail(ErrorCode::kInternal, std::string("regex search failed: ") + reinterpret_cast<char*>(msg));
    }
    const size_t s = static_cast<size_t>(impl_->region->beg[0]);
    const size_t e = static_cast<size_t>(impl_->region->end[0]);
    if (s == e && have_last_match && last_match_end == e) {
      if (last_end >= text.size()) break;
      size_t len;
      unicode::decode(text, last_end, len);
      last_end += len;
      continue;
    }
    last_end = e;
    last_match_end = e;
    have_last_match = true;
    out.emplace_back(s, e);
  }
  return out;
}

std::string regex_escape(std::string_view literal) {
  static const std::string_view kMeta = "\\.+*?()|[]{}^$#&-~ \t\n\r\f\v/";
  std::string out;
  out.reserve(literal.size() * 2);
  for (char c : literal) {
    if (kMeta.find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace wasmbed::tok
