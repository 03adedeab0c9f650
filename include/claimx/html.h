// HTML pages: the article's main text (one paragraph per line), title, date and URL.
//
//   claimx::HtmlArticle a = claimx::extract_html(bytes);  // bytes: UTF-8 HTML
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace claimx {

struct HtmlArticle {
  std::string text;                  // paragraphs, one per line, boilerplate dropped
  std::optional<std::string> title;  // og:title, else the <h1> the <title> names, else <title>
  std::optional<std::string> date;   // YYYY-MM-DD from article:published_time, JSON-LD, <time>
  std::optional<std::string> url;    // canonical link, else og:url
};

// Readability-style extraction: boilerplate elements (script, style, nav, header, footer, aside,
// forms, comments, hidden nodes, classes such as menu/related/comment/share) are dropped, the
// paragraphs vote for their ancestors, the best-scoring container and its good siblings are
// kept, and link-heavy blocks inside it are removed.
HtmlArticle extract_html(std::string_view html);

// gumbo's tree building is quadratic in the nesting depth and its tree walks (and ours) recurse
// once per level: deeper than this, start tags (and their end tags) are blanked before parsing.
inline constexpr size_t kMaxHtmlDepth = 512;

// The page with elements nested deeper than max_depth (by a light scan that knows void elements,
// raw text, comments and implied end tags) blanked out, so their text joins the enclosing element.
// Pages within the depth come back unchanged.
std::string cap_html_nesting(std::string_view html, size_t max_depth);

// The charset named by a Content-Type value or a <meta> in the first bytes ("" if none).
std::string html_charset(std::string_view html, std::string_view content_type);

// Converts bytes from charset to UTF-8 with iconv; unchanged when the charset is UTF-8, unknown
// or the conversion fails.
std::string to_utf8(std::string bytes, const std::string& charset);

}  // namespace claimx
