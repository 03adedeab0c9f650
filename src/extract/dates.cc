// Dates, times of day and durations: turns matches of the `dates` pack (patterns/en/dates.yaml)
// into ISO 8601 values, resolving relative dates against the document's anchor date.
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

// A month and day without a year: news mostly reports the past, so the latest occurrence up to
// a week after the anchor ("the vote on Jan. 5" in November is last January's).
Date nearest(const Date& anchor, unsigned month_v, unsigned day_v) {
  sys_days limit = sys_days{anchor} + days{7};
  for (int dy = 1; dy >= -4; --dy) {  // back to four years: Feb. 29 needs a leap year
    Date c{anchor.year() + years{dy}, month{month_v}, day{day_v}};
    if (c.ok() && sys_days{c} <= limit) return c;
  }
  return Date{};  // not a date (Feb. 30)
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
  if (auto d = ctx.group(m, "dmod"); !d.empty())
    if (auto* e = lookup(ctx, "date_modifiers", d)) f->qualifier = e->attrs.value("value", "");
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
  if (y >= 0 || mo >= 0) {  // absolute (perhaps missing the year)
    if (mo >= 0 && (mo < 1 || mo > 12)) return false;
    if (d >= 0 && (d < 1 || d > 31)) return false;
    f->granularity = d >= 0 ? "day" : mo >= 0 ? "month" : "year";
    if (y >= 0) {
      Date full{year{y}, month{static_cast<unsigned>(mo > 0 ? mo : 1)},
                day{static_cast<unsigned>(d > 0 ? d : 1)}};
      if (!full.ok()) return false;
      f->value = format_at(full, f->granularity);
    } else if (ctx.anchor) {
      unsigned dd = d > 0 ? static_cast<unsigned>(d) : 1;
      Date near = nearest(*ctx.anchor, static_cast<unsigned>(mo), dd);
      if (!near.ok()) return false;
      f->value = format_at(near, f->granularity);
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
    if (!e) return false;
    if (!ctx.anchor) return true;
    int target = e->attrs.value("value", 1);
    int rel = 0;
    if (auto r = ctx.group(m, "rel"); !r.empty())
      if (auto* re = lookup(ctx, "relative_words", r)) rel = re->attrs.value("value", 0);
    sys_days a{*ctx.anchor};
    int today = weekday{a}.iso_encoding();
    int back = (today - target + 7) % 7;  // days since the latest such weekday (0: today)
    sys_days result = a - days{back};
    if (rel < 0 && back == 0) result -= days{7};
    if (rel > 0) result = a + days{(target - today + 7) % 7 == 0 ? 7 : (target - today + 7) % 7};
    if (rel == 0 && ctx.group(m, "rel").size() > 0) result = a + days{target - today};
    f->value = format_date(Date{result});
    return true;
  }
  if (unit.empty()) return false;
  f->granularity = unit;
  int n = 0;
  if (auto r = ctx.group(m, "rel"); !r.empty()) {
    auto* e = lookup(ctx, "relative_words", r);
    if (!e) return false;
    n = e->attrs.value("value", 0);
  } else {  // "three months ago"
    auto count = amount(ctx, m);
    if (!count || *count < 0 || *count > 5000 || *count != std::floor(*count)) return false;
    n = -static_cast<int>(*count);
  }
  if (ctx.anchor) {
    Date d = shift(*ctx.anchor, unit, n);
    if (static_cast<int>(d.year()) < 1) return false;  // "3000 years ago": no ISO 8601 year
    f->value = format_at(d, unit);
  }
  return true;
}

// "7:56:30 pm" -> T19:56:30, "10 a.m." -> T10:00, "midnight" -> T00:00.
bool interpret_time(const Context& ctx, const Match& m, Figure* f) {
  if (auto w = ctx.group(m, "daytime"); !w.empty()) {
    auto* e = lookup(ctx, "day_times", w);
    if (!e) return false;
    f->value = "T" + e->attrs.value("value", std::string("00:00"));
    return true;
  }
  int hour = to_int(ctx.group(m, "hour"));
  int minute = ctx.group(m, "minute").empty() ? 0 : to_int(ctx.group(m, "minute"));
  int second = ctx.group(m, "second").empty() ? -1 : to_int(ctx.group(m, "second"));
  std::string_view ampm = ctx.group(m, "ampm");
  if (hour < 0 || minute < 0) return false;
  if (!ampm.empty()) {
    if (hour < 1 || hour > 12) return false;
    bool pm = ampm[0] == 'p' || ampm[0] == 'P';
    hour = hour % 12 + (pm ? 12 : 0);
  }
  char buf[32];
  if (second >= 0)
    std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", hour, minute, second);
  else
    std::snprintf(buf, sizeof buf, "T%02d:%02d", hour, minute);
  f->value = buf;
  return true;
}

// "three weeks" -> P3W, "2.5 hours" -> PT2.5H, "two decades" -> P20Y (ISO 8601 periods).
bool interpret_duration(const Context& ctx, const Match& m, Figure* f) {
  auto* unit = lookup(ctx, "duration_units", ctx.group(m, "unit"));
  if (!unit) return false;
  std::optional<double> count = ctx.group(m, "one").empty() ? amount(ctx, m) : 1.0;
  if (!count || *count <= 0 || *count > 1e6) return false;
  double n = *count * unit->attrs.value("factor", 1.0);
  std::string number = nlohmann::json(n).dump();
  if (n == std::floor(n)) number = std::to_string(static_cast<long long>(n));
  bool time = unit->attrs.value("time", false);
  f->value = std::string("P") + (time ? "T" : "") + number + unit->attrs.value("designator", "D");
  return true;
}

}  // namespace claimx
