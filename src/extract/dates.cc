// Dates, times of day and durations: turns matches of the `dates` pack (patterns/en/dates.yaml)
// into ISO 8601 values, resolving relative dates against the document's anchor date.
#include <cctype>
#include <cmath>

#include "extract/internal.h"

namespace claimx {

namespace {

using namespace std::chrono;

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    if (v > 100000) return -1;
    v = v * 10 + (c - '0');
  }
  return digits.empty() ? -1 : v;
}

std::string iso_week(const Date& d) {
  // ISO 8601: the week with the year's first Thursday is week 1.
  sys_days day{d};
  weekday wd{day};
  int iso_wd = wd.iso_encoding();  // Monday 1 .. Sunday 7
  sys_days thursday = day + days{4 - iso_wd};
  year_month_day th{thursday};
  sys_days jan1{th.year() / January / 1};
  int week = static_cast<int>((thursday - jan1).count() / 7) + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(th.year()), week);
  return buf;
}

std::string format_at(const Date& d, const std::string& granularity) {
  char buf[32];
  int y = static_cast<int>(d.year());
  unsigned m = static_cast<unsigned>(d.month());
  if (granularity == "year")
    std::snprintf(buf, sizeof buf, "%04d", y);
  else if (granularity == "month")
    std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
  else if (granularity == "quarter")
    std::snprintf(buf, sizeof buf, "%04d-Q%u", y, (m - 1) / 3 + 1);
  else if (granularity == "week")
    return iso_week(d);
  else
    return format_date(d);
  return buf;
}

Date shift(const Date& d, const std::string& unit, int n) {
  if (unit == "day") return Date{sys_days{d} + days{n}};
  if (unit == "week") return Date{sys_days{d} + days{7 * n}};
  int months_n = unit == "month" ? n : unit == "quarter" ? 3 * n : 12 * n;
  year_month ym = year_month{d.year(), d.month()} + months{months_n};
  return Date{ym.year(), ym.month(), day{1}};  // coarser than a day: the day is irrelevant
}

// "2016-11-07" + "T08:00" (or "T08:00/T09:00") -> "2016-11-07T08:00" (or the interval).
nlohmann::json at_day(const std::string& day, const std::string& time) {
  if (day.size() != 10 || time.empty() || time[0] != 'T') return nullptr;
  size_t slash = time.find('/');
  if (slash == std::string::npos) return day + time;
  return day + time.substr(0, slash) + "/" + day + time.substr(slash + 1);
}

// A day moved by n units, keeping its day of the month where it can ("2 months after Jan 31":
// Mar 31; "1 month after Jan 31": Feb 28).
Date shift_day(const Date& d, const std::string& unit, int n) {
  if (unit == "day" || unit == "week") return shift(d, unit, n);
  year_month ym = year_month{d.year(), d.month()} + months{unit == "year" ? 12 * n : n};
  Date r{ym.year(), ym.month(), d.day()};
  return r.ok() ? r : Date{ym.year() / ym.month() / last};
}

// Easter Sunday of a year (the anonymous Gregorian computus).
Date easter_sunday(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
  int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  int month_v = (h + l - 7 * m + 114) / 31, day_v = (h + l - 7 * m + 114) % 31 + 1;
  return Date{year{y}, month{static_cast<unsigned>(month_v)}, day{static_cast<unsigned>(day_v)}};
}

// A day of the month alone ("on the 18th"): this month's, or last month's when that is more
// than a week ahead; read in the future tense, the first on or after the anchor. With a weekday
// (ISO 1-7, "Sat 14th"): the nearest month where that day is that weekday, the earlier one on a
// tie (news reports the past).
Date day_of_month(const Date& anchor, int d, int iso_weekday, bool future) {
  auto fits = [&](const Date& c) {
    return c.ok() && (iso_weekday == 0 ||
                      weekday{sys_days{c}}.iso_encoding() == static_cast<unsigned>(iso_weekday));
  };
  if (future && iso_weekday == 0) {
    year_month ym{anchor.year(), anchor.month()};
    for (int ahead = 0; ahead < 15; ++ahead, ym += months{1})
      if (Date c{ym.year(), ym.month(), day{static_cast<unsigned>(d)}};
          fits(c) && sys_days{c} >= sys_days{anchor})
        return c;
    return Date{};
  }
  sys_days limit = sys_days{anchor} + days{7};
  Date past{}, future_day{};
  year_month ym = year_month{anchor.year(), anchor.month()} + months{1};
  for (int back = 0; back < 15 && !past.ok(); ++back, ym -= months{1})
    if (Date c{ym.year(), ym.month(), day{static_cast<unsigned>(d)}};
        fits(c) && sys_days{c} <= limit)
      past = c;
  if (iso_weekday == 0) return past;
  ym = year_month{anchor.year(), anchor.month()};
  for (int ahead = 0; ahead < 15 && !future_day.ok(); ++ahead, ym += months{1})
    if (Date c{ym.year(), ym.month(), day{static_cast<unsigned>(d)}};
        fits(c) && sys_days{c} > limit)
      future_day = c;
  if (!past.ok()) return future_day;
  if (!future_day.ok()) return past;
  return sys_days{future_day} - sys_days{anchor} < sys_days{anchor} - sys_days{past} ? future_day
                                                                                     : past;
}

// A month and day without a year: news mostly reports the past, so the latest occurrence up to
// a week after the anchor ("the vote on Jan. 5" in November is last January's); read in the
// future tense ("will rise from April 1"), the first on or after the anchor.
Date nearest(const Date& anchor, unsigned month_v, unsigned day_v, bool future, bool whole_month) {
  if (future) {  // the first that has not ended by the anchor ("will rise in April", mid-April)
    for (int dy = 0; dy <= 4; ++dy) {  // up to four years: Feb. 29 needs a leap year
      Date c{anchor.year() + years{dy}, month{month_v}, day{day_v}};
      Date last = whole_month ? Date{c.year() / c.month() / std::chrono::last} : c;
      if (c.ok() && sys_days{last} >= sys_days{anchor}) return c;
    }
    return Date{};
  }
  sys_days limit = sys_days{anchor} + days{7};
  for (int dy = 1; dy >= -4; --dy) {  // back to four years: Feb. 29 needs a leap year
    Date c{anchor.year() + years{dy}, month{month_v}, day{day_v}};
    if (c.ok() && sys_days{c} <= limit) return c;
  }
  return Date{};  // not a date (Feb. 30)
}

// The tense word (lexicon tense_words) that a word is or ends in ("it'll"): "future", "past", or
// empty.
std::string tense_of(const Context& ctx, std::string_view word) {
  const LexiconEntry* e = lookup(ctx, "tense_words", word);
  if (!e)
    for (std::string_view apostrophe : {"'", "\u2019"})
      if (size_t a = word.find(apostrophe); a != std::string_view::npos && a > 0)
        e = lookup(ctx, "tense_words", word.substr(a));
  return e ? e->attrs.value("value", "") : "";
}

// Tokens of text[begin, end): words (letters, digits, apostrophes, other non-ASCII letters, and
// hyphens inside a word: "year-end"), and each punctuation mark, the curly quotes and dashes
// among them.
std::vector<std::string_view> tokens_in(std::string_view text, size_t begin, size_t end) {
  std::vector<std::string_view> tokens;
  auto mark = [&](size_t k) -> size_t {  // the length of a multi-byte mark at k, or 0
    for (std::string_view m : {"\u2014", "\u2013", "\u201C", "\u201D", "\u2018"})
      if (text.compare(k, m.size(), m) == 0) return m.size();
    return 0;
  };
  auto alnum = [&](size_t k) {
    return k >= begin && k < end && std::isalnum(static_cast<unsigned char>(text[k]));
  };
  auto in_word = [&](size_t k) {
    unsigned char c = static_cast<unsigned char>(text[k]);
    if (c == '-') return alnum(k - 1) && alnum(k + 1);
    return std::isalnum(c) || c == '\'' || (c >= 0x80 && mark(k) == 0);
  };
  for (size_t i = begin; i < end;) {
    size_t w = i;
    while (i < end && in_word(i)) ++i;
    if (i > w) {
      tokens.push_back(text.substr(w, i - w));
    } else if (size_t n = mark(i)) {
      tokens.push_back(text.substr(i, n));
      i += n;
    } else {
      if (!std::isspace(static_cast<unsigned char>(text[i]))) tokens.push_back(text.substr(i, 1));
      ++i;
    }
  }
  return tokens;
}

// The tense the token at i says: a two-word entry with its neighbour first ("is expected",
// "as expected", "due to"), else its own entry.
std::string tense_at(const Context& ctx, const std::vector<std::string_view>& tokens, size_t i) {
  auto pair = [&](size_t a) -> std::string {
    if (a + 1 >= tokens.size()) return "";
    std::string two = std::string(tokens[a]) + " " + std::string(tokens[a + 1]);
    const LexiconEntry* e = lookup(ctx, "tense_words", two);
    return e ? e->attrs.value("value", "") : "";
  };
  if (i > 0)
    if (std::string t = pair(i - 1); !t.empty()) return t;
  if (std::string t = pair(i); !t.empty()) return t;
  return tense_of(ctx, tokens[i]);
}

// Whether a date without its year or week at span lies ahead of the anchor (lexicon
// tense_words): the nearest tense word before it in its clause decides, else the nearest after
// it up to a comma; else the past.
bool reads_future(const Context& ctx, const TextRange& span) {
  if (!ctx.sentences) return false;
  int si = ctx.sentence_at(span.start);
  if (si < 0) return false;
  const TextRange& s = (*ctx.sentences)[static_cast<size_t>(si)].span;
  auto before = tokens_in(ctx.text, s.start, span.start);
  for (size_t k = before.size(); k-- > 0;) {
    std::string t = tense_at(ctx, before, k);
    if (t == "clause") break;
    if (t == "future" || t == "past") return t == "future";
  }
  auto after = tokens_in(ctx.text, span.end, s.end);
  for (size_t k = 0; k < after.size(); ++k) {
    std::string t = tense_at(ctx, after, k);
    if (t == "clause" || t == "comma") break;
    if (t == "future" || t == "past") return t == "future";
  }
  return false;
}

// A day of the month in words: "first", "twenty ninth", "thirty-first", "twenty nine"; -1 if
// it is not one.
int day_in_words(const Context& ctx, std::string_view words) {
  int total = 0;
  size_t i = 0;
  while (i < words.size()) {
    size_t j = words.find_first_of(" -", i);
    if (j == std::string_view::npos) j = words.size();
    std::string_view w = words.substr(i, j - i);
    i = j + 1;
    if (w.empty()) continue;
    const LexiconEntry* e = lookup(ctx, "ordinal_words", w);
    if (!e) e = lookup(ctx, "number_words", w);
    if (!e || !e->attrs.contains("value")) return -1;
    total += e->attrs.value("value", 0);
  }
  return total >= 1 && total <= 31 ? total : -1;
}

// The day a weekday names (lexicon entry e) at span, relative to the anchor: the latest such day
// up to the anchor (the first from it on when read in the future tense: "will meet on Tuesday"),
// or with a relative word the last / this / next one.
std::chrono::sys_days weekday_of(const Context& ctx, const LexiconEntry& e, std::string_view r,
                                 const TextRange& span) {
  int target = e.attrs.value("value", 1);
  int rel = 0;
  if (!r.empty())
    if (auto* re = lookup(ctx, "relative_words", r)) rel = re->attrs.value("value", 0);
  sys_days a{*ctx.anchor};
  int today = weekday{a}.iso_encoding();
  int back = (today - target + 7) % 7;  // days since the latest such weekday (0: today)
  sys_days result = a - days{back};
  if (rel < 0 && back == 0) result -= days{7};
  if (rel > 0) result = a + days{(target - today + 7) % 7 == 0 ? 7 : (target - today + 7) % 7};
  if (rel == 0 && !r.empty()) result = a + days{target - today};
  if (r.empty() && back != 0 && reads_future(ctx, span)) result = a + days{7 - back};
  return result;
}

// "November 19-20": the group `day2` ends the interval in the start's month.
bool with_end(const Context& ctx, const Match& m, const Date& start, Figure* f) {
  auto d2 = ctx.group(m, "day2");
  if (d2.empty()) return true;
  int e = to_int(d2);
  Date end{start.year(), start.month(), day{static_cast<unsigned>(e > 0 ? e : 0)}};
  if (e < 1 || !end.ok() || end <= start) return false;
  f->value = format_date(start) + "/" + format_date(end);
  return true;
}

}  // namespace

bool interpret_date(const Context& ctx, const Match& m, Figure* f) {
  f->value = nullptr;
  int y = to_int(ctx.group(m, "year"));
  int mo = -1, d = to_int(ctx.group(m, "day"));
  if (auto month = ctx.group(m, "month"); !month.empty()) {
    if (auto* e = lookup(ctx, "months", month)) mo = e->attrs.value("value", -1);
  } else if (auto mn = ctx.group(m, "monthnum"); !mn.empty()) {
    mo = to_int(mn);
  } else if (auto a = ctx.group(m, "a"); !a.empty()) {
    int av = to_int(a), bv = to_int(ctx.group(m, "b"));
    bool mdy = av <= 12 && (bv > 12 || m.rule->attrs.value("default_order", "dmy") == "mdy");
    mo = mdy ? av : bv;
    d = mdy ? bv : av;
  }
  if (auto w = ctx.group(m, "dayw"); !w.empty()) d = day_in_words(ctx, w);  // "twenty ninth"
  if (auto h = ctx.group(m, "holiday"); !h.empty()) {                       // "Christmas"
    auto* e = lookup(ctx, "holidays", h);
    if (!e) return false;
    mo = e->attrs.value("month", -1);
    d = e->attrs.value("day", -1);
    bool easter = e->attrs.value("easter", false);
    auto r = ctx.group(m, "rel");
    if (easter || !r.empty()) {  // "Easter 2018", "last Easter", "next Christmas"
      auto on = [&](int yr) {
        return easter ? easter_sunday(yr)
                      : Date{year{yr}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(d)}};
      };
      f->granularity = "day";
      f->value = nullptr;
      if (y > 0) {
        f->value = format_date(on(y));
      } else if (ctx.anchor) {
        int rel = 0;
        if (auto* re = r.empty() ? nullptr : lookup(ctx, "relative_words", r))
          rel = re->attrs.value("value", 0);
        sys_days a{*ctx.anchor};
        int ay = static_cast<int>(ctx.anchor->year());
        Date pick{};
        for (int yr = ay + 1; yr >= ay - 1 && !pick.ok(); --yr) {  // the latest fitting one
          sys_days c{on(yr)};
          if ((rel < 0 && c < a) || (rel == 0 && c <= a + days{7})) pick = on(yr);
        }
        if (rel > 0)
          for (int yr = ay - 1; yr <= ay + 1 && !pick.ok(); ++yr)
            if (sys_days{on(yr)} > a) pick = on(yr);
        if (pick.ok()) f->value = format_date(pick);
      }
      return true;
    }
  }
  if (auto yy = ctx.group(m, "yy"); !yy.empty()) {  // "5/3/18": within ten years ahead, else 19yy
    int v = to_int(yy), now = ctx.anchor ? static_cast<int>(ctx.anchor->year()) : 2020;
    y = 2000 + v <= now + 10 ? 2000 + v : 1900 + v;
  }
  if (auto d = ctx.group(m, "dmod"); !d.empty())
    if (auto* e = lookup(ctx, "date_modifiers", d)) f->qualifier = e->attrs.value("value", "");
  if (auto w = ctx.group(m, "weekend"); !w.empty()) {  // "last weekend": Saturday/Sunday
    f->granularity = "day";
    if (!ctx.anchor) return true;
    int rel = 0;
    if (auto r = ctx.group(m, "rel"); !r.empty())
      if (auto* e = lookup(ctx, "relative_words", r)) rel = e->attrs.value("value", 0);
    sys_days a{*ctx.anchor};
    int wd = weekday{a}.iso_encoding();
    sys_days sat = a + days{6 - wd};  // this week's Saturday
    // "the weekend" said early in the week is the one just past; "last weekend" is the latest
    // one over before today; "next weekend" the next one to start.
    if (rel < 0 || (rel == 0 && ctx.group(m, "rel").empty() && wd <= 3)) sat -= days{7};
    if (rel < 0 && sat + days{1} >= a) sat -= days{7};
    if (rel > 0 && sat <= a) sat += days{7};
    f->value = format_date(Date{sat}) + "/" + format_date(Date{sat + days{1}});
    return true;
  }
  if (auto sn = ctx.group(m, "season"); !sn.empty()) {  // "this summer": its months
    auto* e = lookup(ctx, "seasons", sn);
    if (!e) return false;
    int first = e->attrs.value("month", 6);
    f->granularity = "month";
    auto span_of = [&](int yr) {
      Date from{year{yr}, month{static_cast<unsigned>(first)}, day{1}};
      Date to = shift(from, "month", 2);
      return std::pair<Date, Date>{from, to};
    };
    int yr = y;
    if (yr < 0 && ctx.anchor) {
      int rel = 0;
      if (auto r = ctx.group(m, "rel"); !r.empty())
        if (auto* re = lookup(ctx, "relative_words", r)) rel = re->attrs.value("value", 0);
      Date a = *ctx.anchor;
      yr = static_cast<int>(a.year());
      if (first == 12 && static_cast<unsigned>(a.month()) <= 2) --yr;  // January is last winter's
      if (rel < 0)
        while (sys_days{span_of(yr).second} >= sys_days{year_month{a.year(), a.month()} / 1}) --yr;
      if (rel > 0)
        while (sys_days{span_of(yr).first} <= sys_days{a}) ++yr;
    }
    if (yr > 0) {
      auto [from, to] = span_of(yr);
      f->value = format_at(from, "month") + "/" + format_at(to, "month");
    }
    return true;
  }
  if (auto dec = ctx.group(m, "decade"); !dec.empty()) {  // "the 1990s": 1990/1999
    int first = to_int(dec);
    if (first < 1000 || first % 10 != 0) return false;
    f->granularity = "year";
    f->value = std::to_string(first) + "/" + std::to_string(first + 9);
    return true;
  }
  if (auto c = ctx.group(m, "century"); !c.empty()) {  // "the 21st century": 2000/2099
    int n = c[0] >= '0' && c[0] <= '9' ? to_int(c.substr(0, c.find_first_not_of("0123456789")))
                                       : day_in_words(ctx, c);
    if (n < 1 || n > 30) return false;
    f->granularity = "year";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d/%04d", (n - 1) * 100, (n - 1) * 100 + 99);
    f->value = buf;
    return true;
  }
  if (auto nth = ctx.group(m, "nth"); !nth.empty() && y > 0) {  // "the first week of 2015"
    bool weeks = ctx.group(m, "nthunit") == "week";
    // ISO weeks in the year: 53 when Dec 28 falls in week 53.
    int count =
        weeks ? (iso_week(Date{year{y}, December, day{28}}).substr(6) == "53" ? 53 : 52) : 12;
    int n = nth[0] == 'l' || nth[0] == 'L'   ? count
            : nth[0] >= '0' && nth[0] <= '9' ? nth[0] - '0'
                                             : [&] {
                                                 auto* e = lookup(ctx, "ordinal_words", nth);
                                                 return e ? e->attrs.value("value", -1) : -1;
                                               }();
    if (n < 1 || n > count) return false;
    char buf[16];
    std::snprintf(buf, sizeof buf, weeks ? "%04d-W%02d" : "%04d-%02d", y, n);
    f->granularity = weeks ? "week" : "month";
    f->value = buf;
    return true;
  }
  if (auto w = ctx.group(m, "week"); !w.empty()) {  // "week 10 of 2019": an ISO week
    int n = to_int(w);
    if (n < 1 || n > 53) return false;
    f->granularity = "week";
    if (y < 0 && ctx.anchor) y = static_cast<int>(ctx.anchor->year());
    if (y > 0) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-W%02d", y, n);
      f->value = buf;
    }
    return true;
  }
  if (auto q = ctx.group(m, "quarter"); !q.empty()) {  // "the third quarter of 2024", "Q3"
    int quarter = q[0] >= '1' && q[0] <= '4' ? q[0] - '0' : -1;
    if (auto* e = quarter < 0 ? lookup(ctx, "ordinal_words", q) : nullptr)
      quarter = e->attrs.value("value", -1);
    if (quarter < 1 || quarter > 4) return false;
    f->granularity = "quarter";
    if (y < 0 && ctx.anchor) {  // without a year: the latest such quarter up to the anchor's
      y = static_cast<int>(ctx.anchor->year());
      if (quarter > (static_cast<int>(static_cast<unsigned>(ctx.anchor->month())) - 1) / 3 + 1) --y;
    }
    if (y >= 1) f->value = std::to_string(y) + "-Q" + std::to_string(quarter);
    return true;
  }
  if (auto y2 = ctx.group(m, "year2"); !y2.empty()) {  // "between 2014 and 2018"
    int last = to_int(y2);
    if (y < 1 || last <= y) return false;
    f->granularity = "year";
    f->value = std::to_string(y) + "/" + std::to_string(last);
    return true;
  }
  if (y < 0 && mo < 0 && d >= 1 && ctx.group(m, "weekday").empty()) {  // "on the 18th"
    if (d > 31) return false;
    f->granularity = "day";
    if (ctx.anchor)
      if (Date near = day_of_month(*ctx.anchor, d, 0, reads_future(ctx, m.span)); near.ok())
        f->value = format_date(near);
    return true;
  }
  if (auto d2 = ctx.group(m, "day2"); !d2.empty() && (to_int(d2) <= d || to_int(d2) > 31))
    return false;           // "November 30-10" is no range of days
  if (y >= 0 || mo >= 0) {  // absolute (perhaps missing the year)
    if (mo >= 0 && (mo < 1 || mo > 12)) return false;
    if (d >= 0 && (d < 1 || d > 31)) return false;
    f->granularity = d >= 0 ? "day" : mo >= 0 ? "month" : "year";
    if (y >= 0) {
      Date full{year{y}, month{static_cast<unsigned>(mo > 0 ? mo : 1)},
                day{static_cast<unsigned>(d > 0 ? d : 1)}};
      if (!full.ok()) return false;
      f->value = format_at(full, f->granularity);
      if (!with_end(ctx, m, full, f)) return false;
    } else if (ctx.anchor) {
      unsigned dd = d > 0 ? static_cast<unsigned>(d) : 1;
      Date near =
          nearest(*ctx.anchor, static_cast<unsigned>(mo), dd, reads_future(ctx, m.span), d < 0);
      if (!near.ok()) return false;
      f->value = format_at(near, f->granularity);
      if (!with_end(ctx, m, near, f)) return false;
    } else if (d >= 0 &&
               !Date{year{2000}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}}
                    .ok()) {
      return false;
    }
    return true;
  }
  std::string unit;
  if (auto u = ctx.group(m, "unit"); !u.empty())
    if (auto* e = lookup(ctx, "date_units", u)) unit = e->attrs.value("value", "");
  if (auto dw = ctx.group(m, "dayword"); !dw.empty()) {
    f->granularity = "day";
    auto* e = lookup(ctx, "day_words", dw);
    if (ctx.anchor && e)
      f->value = format_date(shift(*ctx.anchor, "day", e->attrs.value("value", 0)));
    return e != nullptr;
  }
  if (auto wd = ctx.group(m, "weekday"); !wd.empty()) {
    f->granularity = "day";
    auto* e = lookup(ctx, "weekdays", wd);
    if (!e) e = lookup(ctx, "weekday_abbrevs", wd);
    if (!e) return false;
    if (!ctx.anchor) return true;
    if (d >= 1) {  // "Sat 14th": the nearest month where the 14th is a Saturday
      f->value = nullptr;
      Date near = day_of_month(*ctx.anchor, d, e->attrs.value("value", 0), false);
      if (near.ok()) f->value = format_date(near);
      return true;
    }
    sys_days result = weekday_of(ctx, *e, ctx.group(m, "rel"), m.span);
    f->value = format_date(Date{result});
    return true;
  }
  if (unit.empty()) return false;
  f->granularity = unit;
  int n = 0;
  if (auto r = ctx.group(m, "rel");
      !r.empty() && (!ctx.group(m, "num").empty() || !ctx.group(m, "words").empty())) {
    // "the next 3 days", "the past two quarters": from the anchor on, or up to it, by day.
    auto* e = lookup(ctx, "relative_words", r);
    auto count = amount(ctx, m);
    if (!e || !count || *count < 1 || *count > 1000 || *count != std::floor(*count)) return false;
    int c = static_cast<int>(*count) * (unit == "quarter" ? 3 : 1);
    std::string u = unit == "quarter" ? "month" : unit;
    f->granularity = "day";
    if (ctx.anchor && unit == "quarter") {  // whole quarters: "the past two quarters"
      f->granularity = "quarter";
      bool ahead = e->attrs.value("value", 0) >= 0;
      Date a = *ctx.anchor;
      Date from = shift(a, "quarter", ahead ? 1 : -c / 3);
      Date to = shift(a, "quarter", ahead ? c / 3 : -1);
      f->value = format_at(from, "quarter") + "/" + format_at(to, "quarter");
    } else if (ctx.anchor) {
      bool ahead = e->attrs.value("value", 0) >= 0;
      Date a = *ctx.anchor;
      Date from = ahead ? shift(a, "day", 1) : shift_day(a, u, -c);
      Date to = ahead ? shift_day(a, u, c) : shift(a, "day", -1);
      if (static_cast<int>(from.year()) < 1) return false;
      f->value = format_date(from) + "/" + format_date(to);
    }
    return true;
  } else if (!r.empty()) {
    auto* e = lookup(ctx, "relative_words", r);
    if (!e) return false;
    n = e->attrs.value("value", 0);
  } else if (!ctx.group(m, "part").empty()) {  // "the end of the week", "later in the year"
    n = 0;
  } else {  // "three months ago"
    auto count = amount(ctx, m);
    if (!count || *count < 0 || *count > 5000 || *count != std::floor(*count)) return false;
    n = ctx.group(m, "later").empty() ? -static_cast<int>(*count) : static_cast<int>(*count);
  }
  if (ctx.anchor) {
    Date d = shift(*ctx.anchor, unit, n);
    if (static_cast<int>(d.year()) < 1) return false;  // "3000 years ago": no ISO 8601 year
    f->value = format_at(d, unit);
  }
  return true;
}

// A count said in digits or words ("20", "thirty-six", "half" 30, "quarter" 15 of an hour), or -1.
int clock_number(const Context& ctx, std::string_view digits, std::string_view words) {
  if (!digits.empty()) return to_int(digits);
  if (words.empty()) return -1;
  if (auto* e = lookup(ctx, "clock_words", words)) return e->attrs.value("value", -1);
  auto v = words_value(words, ctx.numbers);
  return v && *v >= 0 && *v < 60 && *v == std::floor(*v) ? static_cast<int>(*v) : -1;
}

// "7:56:30 pm" -> T19:56:30, "10 a.m." -> T10:00, "midnight" -> T00:00, "half past seven" ->
// T07:30, "five in the afternoon" -> T17:00, "this morning" -> 2026-11-25T08:00/2026-11-25T12:00
// (parts of the day are intervals: lexicon `day_parts`). A day word or relative word before the
// time puts it on that day when the document has a date.
bool interpret_time(const Context& ctx, const Match& m, Figure* f) {
  f->value = nullptr;
  // The day: "tomorrow", "last" (night), "this" (morning), "tonight".
  std::optional<int> day_offset;
  if (auto dw = ctx.group(m, "dayword"); !dw.empty()) {
    if (auto* e = lookup(ctx, "day_words", dw)) day_offset = e->attrs.value("value", 0);
  } else if (auto r = ctx.group(m, "rel"); !r.empty()) {
    if (auto* e = lookup(ctx, "relative_words", r)) day_offset = e->attrs.value("value", 0);
  }
  const LexiconEntry* part = nullptr;
  if (auto dp = ctx.group(m, "daypart"); !dp.empty()) {
    part = lookup(ctx, "day_parts", dp);
    if (!part) return false;
    if (part->attrs.contains("day")) day_offset = part->attrs.value("day", 0);
  }
  std::optional<Date> day;  // "Friday night"
  if (auto wd = ctx.group(m, "weekday"); !wd.empty()) {
    auto* e = lookup(ctx, "weekdays", wd);
    if (!e) return false;
    if (ctx.anchor) day = Date{weekday_of(ctx, *e, ctx.group(m, "rel"), m.span)};
    day_offset = 0;
  } else if (day_offset && ctx.anchor) {
    day = shift(*ctx.anchor, "day", *day_offset);
  }
  std::string clock;
  if (auto w = ctx.group(m, "daytime"); !w.empty()) {
    auto* e = lookup(ctx, "day_times", w);
    if (!e) return false;
    clock = "T" + e->attrs.value("value", std::string("00:00"));
  } else if (ctx.group(m, "hour").empty() && ctx.group(m, "hourw").empty()) {
    if (!part) return false;  // a part of the day: an interval
    std::string v = part->attrs.value("value", std::string("00:00/24:00"));
    size_t slash = v.find('/');
    clock = "T" + v.substr(0, slash) + "/T" + v.substr(slash + 1);
  } else {
    int hour = clock_number(ctx, ctx.group(m, "hour"), ctx.group(m, "hourw"));
    int minute = clock_number(ctx, ctx.group(m, "minute"), ctx.group(m, "minw"));
    if (minute < 0) minute = 0;
    int second = ctx.group(m, "second").empty() ? -1 : to_int(ctx.group(m, "second"));
    std::string_view ampm = ctx.group(m, "ampm");
    if (hour < 0 || hour > 24 || minute > 59) return false;
    if (auto p = ctx.group(m, "past"); !p.empty() && (p[0] == 't' || p[0] == 'T')) {
      minute = (60 - minute) % 60;  // "quarter to eight"
      hour = (hour + 23) % 24;
    }
    if (!ampm.empty()) {
      if (hour < 1 || hour > 12) return false;
      bool pm = ampm[0] == 'p' || ampm[0] == 'P';
      hour = hour % 12 + (pm ? 12 : 0);
    } else if (part && part->attrs.value("pm", false) && hour < 12 &&
               (hour >= part->attrs.value("pm_from", 1))) {
      hour += 12;  // "seven in the evening"
    }
    if (hour == 24) hour = 0;
    char buf[64];
    if (second >= 0)
      std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", hour, minute, second);
    else
      std::snprintf(buf, sizeof buf, "T%02d:%02d", hour, minute);
    clock = buf;
    if (auto h2 = ctx.group(m, "hour2"); !h2.empty()) {  // "5-6 pm", "from 7:00 to 8:00pm"
      int end = to_int(h2);
      int end_min = ctx.group(m, "minute2").empty() ? 0 : to_int(ctx.group(m, "minute2"));
      if (end < 0 || end > 23 || end_min < 0 || end_min > 59) return false;
      if (!ampm.empty()) {  // the am/pm after the end holds for it, and for the start if it fits
        if (end < 1 || end > 12) return false;
        bool pm = ampm[0] == 'p' || ampm[0] == 'P';
        end = end % 12 + (pm ? 12 : 0);
        int start = to_int(ctx.group(m, "hour"));
        hour = start % 12 + (pm ? 12 : 0);
        if (hour * 60 + minute > end * 60 + end_min) hour = start % 12;  // "11-1 pm"
      } else if (part && part->attrs.value("pm", false) && end < 12) {
        end += 12;
        if (hour < 12) hour += 12;
      } else if (end < hour) {
        end += 12;  // "11-4": working hours run past noon
      }
      std::snprintf(buf, sizeof buf, "T%02d:%02d/T%02d:%02d", hour, minute, end, end_min);
      clock = buf;
    }
  }
  if (!day_offset) {
    f->value = clock;
  } else if (day) {
    f->value = at_day(format_date(*day), clock);
  }
  return true;
}

// "three weeks" -> P3W, "2.5 hours" -> PT2.5H, "two decades" -> P20Y (ISO 8601 periods).
// Frequencies are ISO 8601 repeating intervals of that period: "every week", "weekly",
// "on Tuesdays" -> R/P1W, "every other day" -> R/P2D, "twice a year" -> R/P0.5Y.
bool interpret_duration(const Context& ctx, const Match& m, Figure* f) {
  const LexiconEntry* unit = nullptr;
  if (auto u = ctx.group(m, "unit"); !u.empty()) unit = lookup(ctx, "duration_units", u);
  if (auto w = ctx.group(m, "freq"); !w.empty()) unit = lookup(ctx, "frequency_words", w);
  if (auto dp = ctx.group(m, "daypart"); !dp.empty()) unit = lookup(ctx, "duration_units", "day");
  if (!ctx.group(m, "weekday").empty()) unit = lookup(ctx, "duration_units", "week");
  if (!unit) return false;
  std::optional<double> count = 1.0;
  if (!ctx.group(m, "num").empty() || !ctx.group(m, "words").empty()) count = amount(ctx, m);
  if (!count || *count <= 0 || *count > 1e6) return false;
  double n = *count * unit->attrs.value("factor", 1.0);
  if (!ctx.group(m, "other").empty()) n *= 2;      // "every other day"
  if (auto t = ctx.group(m, "times"); !t.empty())  // "twice a week"
    if (auto* e = lookup(ctx, "frequency_counts", t)) n /= e->attrs.value("value", 1.0);
  std::string number = nlohmann::json(n).dump();
  if (n == std::floor(n)) number = std::to_string(static_cast<long long>(n));
  bool time = unit->attrs.value("time", false);
  f->value = std::string(f->kind == "frequency" ? "R/P" : "P") + (time ? "T" : "") + number +
             unit->attrs.value("designator", "D");
  return true;
}

namespace {

bool temporal(const Figure& f) {
  return f.kind == "date" || f.kind == "time";
}
bool repeating(const Figure& f) {
  return f.kind == "frequency";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The role (`range`, `at`, `of`, `shift`) and sign of the words between two figures, from the
// lexicon `date_joins`; empty when they are not joined.
std::string join_role(const Context& ctx, std::string_view gap, int* sign = nullptr) {
  const LexiconEntry* e = lookup(ctx, "date_joins", trim(gap));
  if (!e) return "";
  if (sign) *sign = e->attrs.value("sign", 1);
  return e->attrs.value("role", "");
}

// The word before `pos` (spaces skipped) if it is in `lexicon`: its start, else npos.
size_t opener_before(const Context& ctx, size_t pos, const char* lexicon, std::string* form) {
  size_t end = pos;
  while (end > 0 && ctx.text[end - 1] == ' ') --end;
  size_t start = end;
  while (start > 0 && is_word_char(static_cast<unsigned char>(ctx.text[start - 1]))) --start;
  if (start == end) return std::string::npos;
  std::string_view word = ctx.text.substr(start, end - start);
  if (word == "the" || word == "The")  // "between the end of 2007 and ..."
    return start > 0 ? opener_before(ctx, start, lexicon, form) : std::string::npos;
  const LexiconEntry* e = lookup(ctx, lexicon, word);
  if (!e) return std::string::npos;
  *form = e->attrs.value("requires", "");
  return start;
}

bool has_year(std::string_view text) {
  int run = 0;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run == 4) return true;
  }
  return false;
}

bool is_weekday(const Context& ctx, const Figure& f) {
  std::string_view t = ctx.slice(f.span);
  size_t sp = t.find_last_of(' ');
  std::string_view last = sp == std::string_view::npos ? t : t.substr(sp + 1);
  if (!last.empty() && last.back() == '.') last.remove_suffix(1);
  return f.kind == "date" &&
         (lookup(ctx, "weekdays", last) || lookup(ctx, "weekday_abbrevs", last));
}

// A calendar date written without its year ("Nov", "10/25", "28 june"; not "next Friday").
bool yearless(const Context& ctx, const Figure& f) {
  return f.kind == "date" && !has_year(ctx.slice(f.span)) && !is_weekday(ctx, f) &&
         f.rule.substr(0, 13) != "date.relative" && f.rule != "date.day-word" &&
         (f.granularity == "day" || f.granularity == "month") && f.rule.substr(0, 8) != "date.com";
}

// Whether a time was said with am or pm ("7 pm", "9a", "8 a.m."): not the a in "and".
bool says_ampm(std::string_view t) {
  for (size_t i = 1; i < t.size(); ++i) {
    char c = t[i];
    if (c != 'a' && c != 'A' && c != 'p' && c != 'P') continue;
    size_t j = i - 1;
    if ((t[j] == ' ' || t[j] == '.') && j > 0) --j;
    if (t[j] < '0' || t[j] > '9') continue;
    if (i + 1 == t.size() || !std::isalpha(static_cast<unsigned char>(t[i + 1])) ||
        t[i + 1] == 'm' || t[i + 1] == 'M')
      return true;
  }
  return false;
}

// A part of the day, perhaps on its day ("tonight", "in the morning"): an interval of clock
// times that a clock time said beside it falls in.
bool day_part(const Figure& f) {
  std::string v = f.value.is_string() ? f.value.get<std::string>() : "";
  size_t t = v.find('T');
  return f.kind == "time" && (f.rule == "time.daypart" || f.rule == "time.daypart-weekday") &&
         (t == 0 || t == 10) && v.find('/') != std::string::npos;
}

std::string str(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : "";
}

// An ISO 8601 period of one unit ("P3W", "P2D", "P1Y"): the count and the date unit.
bool simple_period(const std::string& p, int* n, std::string* unit) {
  if (p.size() < 3 || p[0] != 'P' || p[1] == 'T') return false;
  int v = to_int(std::string_view(p).substr(1, p.size() - 2));
  char d = p.back();
  *unit = d == 'D' ? "day" : d == 'W' ? "week" : d == 'M' ? "month" : d == 'Y' ? "year" : "";
  *n = v;
  return v > 0 && !unit->empty();
}

Figure joined(const Figure& a, const Figure& b, const char* rule) {
  Figure f = a;
  f.span = TextRange{a.span.start, b.span.end};
  f.rule = rule;
  f.qualifier = a.qualifier.empty() ? b.qualifier : a.qualifier;
  return f;
}

// One pass over neighbours: a start and an end ("from May to June", "between 2 and 3 pm"
// made of two times), a day and its time ("Tuesday at 2:00"), a weekday and its date ("Tuesday
// March 7", "tuesday of last week"), a period from a date ("2 weeks after May 13").
bool compose_pass(const Context& ctx, std::vector<Figure>* figs, const std::string& want,
                  bool dates_only) {
  bool changed = false;
  // Compacted in place (kept figures move down to `w`): a pass allocates nothing, so a flood of
  // figures in one sentence costs eight linear sweeps, not eight fresh vectors.
  size_t w = 0;
  auto keep = [&](Figure&& f) {
    if (&(*figs)[w] != &f) (*figs)[w] = std::move(f);
    ++w;
  };
  for (size_t i = 0; i < figs->size(); ++i) {
    Figure& a = (*figs)[i];
    if (i + 1 >= figs->size() || (a.kind != "duration" && !temporal(a) && !repeating(a))) {
      keep(std::move(a));
      continue;
    }
    const Figure& b = (*figs)[i + 1];
    std::string_view gap = ctx.text.substr(a.span.end, b.span.start - a.span.end);
    int sign = 1;
    std::string role =
        gap.size() <= 12 && ctx.sentence_at(a.span.start) == ctx.sentence_at(b.span.start)
            ? join_role(ctx, gap, &sign)
            : "";
    if (gap.find_first_of(".;:!?") != std::string_view::npos) role.clear();
    std::optional<Figure> f;
    if (dates_only && (a.kind != "date" || b.kind != "date")) role.clear();
    if (role != want) {
    } else if (role == "range" && temporal(b) && a.kind == b.kind &&
               str(a.value).find('/') == std::string::npos &&
               str(b.value).find('/') == std::string::npos) {
      std::string requires_;
      size_t open = opener_before(ctx, a.span.start, "date_range_openers", &requires_);
      bool needs_between = trim(gap) == "and";
      if (needs_between && (open == std::string::npos || requires_ != "and")) {
      } else if (is_weekday(ctx, a) != is_weekday(ctx, b)) {  // "this Friday-Jun-15": one day
      } else {
        f = joined(a, b, a.kind == "date" ? "date.compose-range" : "time.compose-range");
        if (open != std::string::npos) f->span.start = open;
        std::string va = str(a.value), vb = str(b.value);
        // A calendar date without a year ("Nov", "10/25"; not "next Friday") takes it from the
        // other end: "Nov-Feb 2017" starts in 2016, "from 10/25 to 01/25" ends a year later.
        auto calendar = [&](const Figure& x) { return yearless(ctx, x); };
        if (va.size() >= 7 && va.size() == vb.size() && va[4] == '-' && calendar(a) &&
            has_year(ctx.slice(b.span))) {
          va.replace(0, 4, vb.substr(0, 4));
          if (va > vb) va.replace(0, 4, std::to_string(to_int(vb.substr(0, 4)) - 1));
        } else if (va.size() >= 7 && va.size() == vb.size() && vb[4] == '-' && calendar(b)) {
          vb.replace(0, 4, va.substr(0, 4));
          if (vb < va) vb.replace(0, 4, std::to_string(to_int(va.substr(0, 4)) + 1));
        }
        f->value = !va.empty() && !vb.empty() && va <= vb           ? nlohmann::json(va + "/" + vb)
                   : a.kind == "time" && !va.empty() && !vb.empty() ? nlohmann::json(va + "/" + vb)
                                                                    : nlohmann::json(nullptr);
        if (a.granularity != b.granularity) f->granularity = a.granularity;
      }
    } else if (role == "at" && (repeating(a) || repeating(b)) &&
               (a.kind == "time" || b.kind == "time")) {  // "every Monday at 4 pm"
      f = joined(a, b, "frequency.compose-at");
      f->kind = "frequency";
      f->value = repeating(a) ? a.value : b.value;
      f->granularity.clear();
    } else if (role == "at" && temporal(a) && temporal(b) && a.kind != b.kind &&
               (a.kind == "date" ? a : b).granularity == "day") {  // a day and its time
      const Figure& day = a.kind == "date" ? a : b;
      const Figure& time = a.kind == "time" ? a : b;
      f = joined(a, b, "time.compose-at");
      f->kind = "time";
      f->granularity.clear();
      f->value = at_day(str(day.value), str(time.value));
    } else if (role == "at" && a.kind == "time" && b.kind == "time" && day_part(a) != day_part(b) &&
               !day_part(day_part(a) ? b : a)) {
      // "tonight at 1am", "this evening from 7 to 7:30", "in the morning 9 oclock": the clock
      // in that part of the day (on its day), after noon when the part is and the clock says
      // no am or pm.
      const Figure& part = day_part(a) ? a : b;
      const Figure& clock = day_part(a) ? b : a;
      std::string c = str(clock.value), p = str(part.value);
      size_t t = p.find('T');
      bool ampm = says_ampm(ctx.slice(clock.span));
      if (!ampm && to_int(std::string_view(p).substr(t + 1, 2)) >= 12) {
        for (size_t at = 0; (at = c.find('T', at)) != std::string::npos; ++at) {
          int h = to_int(std::string_view(c).substr(at + 1, 2));
          if (h >= 1 && h < 12) c.replace(at + 1, 2, std::to_string(h + 12));
        }
      }
      f = joined(a, b, "time.compose-at");
      f->value = t == 10 ? at_day(p.substr(0, 10), c) : nlohmann::json(c);
    } else if ((role == "at" || role == "of") && a.kind == "date" && b.kind == "date" &&
               yearless(ctx, a) && b.granularity == "year" && str(b.value).size() == 4 &&
               str(a.value).size() >= 7) {  // "28 june in 2020", "july 4th of 1995"
      f = joined(a, b, "date.compose-year");
      std::string v = str(a.value);
      f->value = str(b.value) + v.substr(4);
      if (!parse_iso_date(str(f->value)) && v.size() == 10) f.reset();
    } else if ((role == "at" || role == "of") && temporal(b) && a.kind == "date" &&
               b.kind == "date" && (is_weekday(ctx, a) != is_weekday(ctx, b)) &&
               trim(gap) != "in") {
      const Figure& wd = is_weekday(ctx, a) ? a : b;
      const Figure& other = is_weekday(ctx, a) ? b : a;
      f = joined(a, b, "date.compose-weekday");
      f->granularity = "day";
      f->value = nullptr;
      if (other.granularity == "day" && role == "at") {
        f->value = other.value;
      } else if (other.granularity == "week" && ctx.anchor) {  // "tuesday of last week"
        auto wv = parse_iso_date(str(wd.value));
        auto ov = str(other.value);
        if (wv && ov.size() == 8) {
          // The Monday of the ISO week `ov`: the week holding Jan 4 is week 1.
          int y = to_int(std::string_view(ov).substr(0, 4)),
              w = to_int(std::string_view(ov).substr(6));
          sys_days jan4{year{y} / January / 4};
          sys_days monday = jan4 - days{weekday{jan4}.iso_encoding() - 1} + days{7 * (w - 1)};
          sys_days d = monday + days{weekday{sys_days{*wv}}.iso_encoding() - 1};
          f->value = format_date(Date{d});
        }
      } else if (other.granularity != "day") {
        f.reset();
      }
    } else if (role == "shift" && a.kind == "date" && a.granularity == "day" && b.kind == "time" &&
               trim(gap) != "from") {  // "Thursday before 5pm"
      f = joined(a, b, "time.compose-at");
      f->kind = "time";
      f->granularity.clear();
      f->value = at_day(str(a.value), str(b.value));
      f->qualifier = sign < 0 ? "lt" : "gt";
    } else if (role == "shift" && a.kind == "duration" && b.kind == "date" &&
               b.granularity == "day") {  // not "three years since 2019": a span of time
      f = joined(a, b, "date.compose-shift");
      f->kind = "date";
      f->granularity = b.granularity;
      f->value = nullptr;
      int n = 0;
      std::string unit;
      auto base = parse_iso_date(str(b.value));
      if (base && b.granularity == "day" && simple_period(str(a.value), &n, &unit))
        f->value = format_date(shift_day(*base, unit, sign * n));
      if (b.granularity.empty()) f->granularity = "day";
    }
    if (!f) {
      keep(std::move(a));
      continue;
    }
    keep(std::move(*f));
    ++i;
    changed = true;
  }
  figs->resize(w);
  return changed;
}

}  // namespace

void compose_dates(const Context& ctx, std::vector<Figure>* figures) {
  // Dates with dates first ("Monday, May 4"), then with times ("10 a.m. on Monday, May 4").
  const std::pair<const char*, bool> passes[] = {{"range", false}, {"at", true},  {"of", true},
                                                 {"at", false},    {"of", false}, {"shift", false},
                                                 {"range", false}, {"at", false}};
  for (const auto& [role, dates_only] : passes) compose_pass(ctx, figures, role, dates_only);
  // The words before a date that bound it ("after 2010", "no later than Jan. 1"): its qualifier.
  for (auto& f : *figures) {
    if (!f.qualifier.empty() || (f.kind != "date" && f.kind != "time")) continue;
    size_t start = f.span.start;
    for (int words = 0; words < 3 && start > 0; ++words) {
      size_t end = start;
      while (end > 0 && ctx.text[end - 1] == ' ') --end;
      start = end;
      while (start > 0 && is_word_char(static_cast<unsigned char>(ctx.text[start - 1]))) --start;
      if (start == end) break;
      std::string_view before = trim(ctx.text.substr(start, f.span.start - start));
      if (auto* e = lookup(ctx, "date_modifiers", before))
        f.qualifier = e->attrs.value("value", "");
    }
  }
}

}  // namespace claimx
