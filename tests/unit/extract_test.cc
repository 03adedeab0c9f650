// The extraction stages through the public API, on short news-like texts. Every test also
// checks that every item's span lies inside the text (exact offsets are checked end to end).
#include "claimx/extract.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "claimx/json_writer.h"
#include "extract/internal.h"

namespace claimx {
namespace {

Result run(const std::string& text, std::optional<std::string> date = std::nullopt,
           Document* out = nullptr) {
  Document doc = make_document("t", "-", text);
  ExtractOptions opt;
  opt.anchor_date = date;
  Result r = extract(doc, default_rulebook(), opt);
  for (const auto& f : r.figures) EXPECT_LE(f.span.end, doc.text.size());
  if (out) *out = doc;
  return r;
}

std::string sub(const std::string& text, const TextRange& r) {
  return text.substr(r.start, r.end - r.start);
}

const Figure* figure(const Result& r, const std::string& text, const std::string& wanted) {
  for (const auto& f : r.figures)
    if (sub(text, f.span) == wanted) return &f;
  return nullptr;
}

TEST(Numbers, DecimalValueIsExact) {
  EXPECT_EQ(*decimal_value("9.9", 6), 9900000.0);
  EXPECT_EQ(*decimal_value("56", 9), 56000000000.0);
  EXPECT_EQ(*decimal_value("1,234.5", 0), 1234.5);
  EXPECT_FALSE(decimal_value("1.2.3", 0));
  EXPECT_FALSE(decimal_value("", 0));
}

TEST(Numbers, WordsValue) {
  const NumberLexicons lx = number_lexicons(default_rulebook());
  EXPECT_EQ(*words_value("twenty-five", lx), 25);
  EXPECT_EQ(*words_value("half a billion", lx), 5e8);
  EXPECT_EQ(*words_value("a hundred", lx), 100);
  EXPECT_EQ(*words_value("two and a half", lx), 2.5);
  EXPECT_DOUBLE_EQ(*words_value("one hundred and three and two thirds", lx), 103 + 2.0 / 3);
  EXPECT_EQ(*words_value("three hundred and twelve", lx), 312);
  EXPECT_EQ(*words_value("two thousand five hundred", lx), 2500);
  EXPECT_FALSE(words_value("seven dwarfs", lx));
}

TEST(Numbers, WordsGrammar) {
  const NumberLexicons lx = number_lexicons(default_rulebook());
  EXPECT_EQ(*words_value("three hundred and two dozens", lx), 324);
  EXPECT_EQ(*words_value("three lakh crore", lx), 3e12);
  EXPECT_EQ(*words_value("3 hundred and 21", lx), 321);
  EXPECT_EQ(*words_value("two million and one half", lx), 2.5e6);
  EXPECT_EQ(*words_value("five billion and three quarters", lx), 5.75e9);
  EXPECT_DOUBLE_EQ(*words_value("two and fifty-four hundredths", lx), 2.54);
  // The denominator is the longest ordinal at the end that leaves a number before it.
  EXPECT_DOUBLE_EQ(*words_value("one hundred and thirty-two fifths", lx), 26.4);
  EXPECT_DOUBLE_EQ(*words_value("one hundred thirty fifths", lx), 100.0 / 35);
  EXPECT_DOUBLE_EQ(*words_value("one one hundred and fifth", lx), 1.0 / 105);
  EXPECT_DOUBLE_EQ(*words_value("twenty twenty fifths", lx), 0.8);
  EXPECT_FALSE(words_value("three seconds", lx));  // a time, not 3/2
  EXPECT_FALSE(words_value("one two", lx));
  EXPECT_EQ(*ordinal_words_value("one hundred twenty-fifth", lx), 125);
  EXPECT_EQ(*ordinal_words_value("two hundredth", lx), 200);
  EXPECT_FALSE(ordinal_words_value("one one hundred fifth", lx));
  auto parts = split_number_words("three-nought-four", lx);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].offset, 6u);
  EXPECT_EQ(parts[1].length, 6u);
  EXPECT_EQ(parts[2].value, 4);
}

TEST(Numbers, LongRunsStayLinear) {
  const NumberLexicons lx = number_lexicons(default_rulebook());
  std::string run;
  for (int i = 0; i < 20000; ++i) run += "one ";
  run.pop_back();
  EXPECT_EQ(split_number_words(run, lx).size(), 20000u);
}

TEST(Numbers, OverflowKeepsTheFigureWithoutAValue) {
  std::string text = "It cost $" + std::string(500, '9') + " and 10^400 more.";
  Result r = run(text);
  const Figure* money = figure(r, text, "$" + std::string(500, '9'));
  ASSERT_NE(money, nullptr);
  EXPECT_TRUE(money->overflow);
  EXPECT_TRUE(money->value.is_null());
  EXPECT_EQ(money->currency, "USD");
  const Figure* power = figure(r, text, "10^400");
  ASSERT_NE(power, nullptr);
  EXPECT_TRUE(power->overflow);
  EXPECT_TRUE(power->value.is_null());
}

TEST(Numbers, WrittenForms) {
  EXPECT_EQ(*decimal_value("1 234 567", 0), 1234567);
  EXPECT_EQ(*decimal_value("1\u202f234", 0), 1234);
  EXPECT_EQ(*decimal_value("1.111,11", 0), 1111.11);
  EXPECT_EQ(*decimal_value("5,00", 0), 5);
  EXPECT_EQ(*decimal_value("1,300", 0), 1300);
  EXPECT_EQ(*decimal_value("12,34,567.89", 0), 1234567.89);
}

struct FigureCase {
  std::string text, span, kind;
  double value;
  std::string currency;
};

TEST(Figures, MoneyNumbersPercentsRanks) {
  const std::vector<FigureCase> cases = {
      {"a commitment—$9.9 million—towards projects", "$9.9 million", "money", 9.9e6, "USD"},
      {"trade reaching $56 billion last year", "$56 billion", "money", 5.6e10, "USD"},
      {"It raised $56B.", "$56B", "money", 5.6e10, "USD"},
      {"profits of US$1.2bn", "US$1.2bn", "money", 1.2e9, "USD"},
      {"a fund of €3 billion", "€3 billion", "money", 3e9, "EUR"},
      {"trade worth 56 billion dollars", "56 billion dollars", "money", 5.6e10, "USD"},
      {"unemployment fell to 5%", "5%", "percent", 5, ""},
      {"support fell 2 percentage points", "2 percentage points", "percentage-points", 2, ""},
      {"Canada's third-largest trading partner", "third-largest", "ordinal", 3, ""},
      {"some 4,000 jobs", "4,000", "number", 4000, ""},
      {"twenty-five million people", "twenty-five million", "number", 2.5e7, ""},
  };
  for (const auto& c : cases) {
    Result r = run(c.text);
    const Figure* f = figure(r, make_document("", "", c.text).text, c.span);
    ASSERT_NE(f, nullptr) << c.text;
    EXPECT_EQ(f->kind, c.kind) << c.text;
    EXPECT_DOUBLE_EQ(f->value.get<double>(), c.value) << c.text;
    EXPECT_EQ(f->currency, c.currency) << c.text;
  }
}

TEST(Figures, BareDollarIsAmbiguousInCanadianContext) {
  Result us = run("The Pentagon will spend $5 million, officials in Washington said.");
  ASSERT_EQ(us.figures.size(), 1u);
  EXPECT_FALSE(us.figures[0].currency_ambiguous);
  Result ca = run("Canada will spend $5 million, officials in Ottawa said. Canada agreed.");
  ASSERT_EQ(ca.figures.size(), 1u);
  EXPECT_EQ(ca.figures[0].currency, "USD");
  EXPECT_TRUE(ca.figures[0].currency_ambiguous);
  EXPECT_EQ(ca.figures[0].candidates, (std::vector<std::string>{"USD", "CAD"}));
  Result explicit_cad = run("Canada will spend C$5 million.");
  EXPECT_FALSE(explicit_cad.figures[0].currency_ambiguous);
  // A story filed in Ottawa means Canadian dollars by "$"; the other reading stays a candidate.
  Result filed = run("Deficit to fall\nOTTAWA — The deficit will fall to $28.4 billion.\n");
  ASSERT_EQ(filed.figures.size(), 1u);
  EXPECT_EQ(filed.figures[0].currency, "CAD");
  EXPECT_TRUE(filed.figures[0].currency_ambiguous);
  EXPECT_EQ(filed.figures[0].candidates, (std::vector<std::string>{"CAD", "USD"}));
}

// Any country named in the story marks a sign or name it shares as possibly its own: CLDR's
// signs and names, its countries' currencies (region_currencies).
TEST(Figures, SharedSignsAndNamesAreAmbiguousWhereACountryUsesThem) {
  Result kr = run("Norway said it would pay 200 kr.");
  ASSERT_EQ(kr.figures.size(), 1u);
  EXPECT_EQ(kr.figures[0].currency, "SEK");
  EXPECT_EQ(kr.figures[0].candidates, (std::vector<std::string>{"SEK", "NOK"}));
  Result dinars = run("Iraq will pay 20 dinars each.");
  ASSERT_EQ(dinars.figures.size(), 1u);
  EXPECT_EQ(dinars.figures[0].candidates, (std::vector<std::string>{"KWD", "IQD"}));
  // A province or a city names its country: "Halifax" and "Nova Scotia" are Canadian.
  Result city = run("The port of Halifax, Nova Scotia, will spend $5 million, Halifax said.");
  ASSERT_EQ(city.figures.size(), 1u);
  EXPECT_EQ(city.figures[0].candidates, (std::vector<std::string>{"USD", "CAD"}));
  Result plain = run("It cost 20 dinars.");
  EXPECT_FALSE(plain.figures[0].currency_ambiguous);
}

TEST(Figures, NothingFromUrlsEmailsPhones) {
  Result r = run("See https://example.com/2024/5%20off or call (555) 123-4567, mail a.b@c.org.");
  EXPECT_TRUE(r.figures.empty()) << sub("See https://example.com/2024/5%20off", r.figures[0].span);
}

TEST(Figures, NoDateBeforeYearOne) {
  Result r = run("Rome was founded 3000 years ago.", "2026-11-25");
  for (const auto& f : r.figures) EXPECT_NE(f.kind, "date") << f.value;
}

TEST(Figures, NoFalseFigures) {
  for (std::string text : {"the F-35 fighter jet", "one of the largest", "a trade deal",
                           "the $ sign", "during COVID-19"}) {
    Result r = run(text);
    EXPECT_TRUE(r.figures.empty())
        << text << ": " << (r.figures.empty() ? "" : sub(text, r.figures[0].span));
  }
}

struct DateCase {
  std::string text, span;
  std::optional<std::string> anchor;
  nlohmann::json value;
  std::string granularity;
};

TEST(Figures, DatesAbsoluteAndRelative) {
  const std::vector<DateCase> cases = {
      {"on Nov. 25, 2026 the talks", "Nov. 25, 2026", std::nullopt, "2026-11-25", "day"},
      {"Sales fell last year.", "last year", std::nullopt, nullptr, "year"},
      {"Sales fell last year.", "last year", "2026-11-25", "2025", "year"},
      {"The vote is next month.", "next month", "2026-11-25", "2026-12", "month"},
      {"It began three months ago.", "three months ago", "2026-11-25", "2026-08", "month"},
      {"They met on Tuesday.", "Tuesday", "2026-11-25", "2026-11-24", "day"},  // a Wednesday
      {"The vote on Jan. 5 was close.", "Jan. 5", "2026-11-25", "2026-01-05", "day"},
      {"Talks resume on Jan. 2.", "Jan. 2", "2026-12-30", "2027-01-02",
       "day"},  // within a week ahead
      {"in March 2024 prices rose", "March 2024", std::nullopt, "2024-03", "month"},
      {"exports doubled since 2019.", "2019", std::nullopt, "2019", "year"},
      {"We met today.", "today", "2026-11-25", "2026-11-25", "day"},
      {"this week", "this week", "2026-11-25", "2026-W48", "week"},
      {"born on Feb. 29", "Feb. 29", "2026-03-01", "2024-02-29", "day"},
      {"profits fell in the third quarter of 2024", "third quarter of 2024", std::nullopt,
       "2024-Q3", "quarter"},
      {"sales rose in the fourth quarter", "fourth quarter", "2026-05-10", "2025-Q4", "quarter"},
      {"revenue in Q1 beat forecasts", "Q1", "2026-05-10", "2026-Q1", "quarter"},
  };
  for (const auto& c : cases) {
    Result r = run(c.text, c.anchor);
    const Figure* f = figure(r, c.text, c.span);
    ASSERT_NE(f, nullptr) << c.text;
    EXPECT_EQ(f->kind, "date") << c.text;
    EXPECT_EQ(f->value, c.value) << c.text;
    EXPECT_EQ(f->granularity, c.granularity) << c.text;
  }
}

// A dateline's full date is when the story was filed: with no document date, it anchors the
// document's relative dates, those of the headline above it too.
TEST(Figures, DatelineDateAnchorsTheDocument) {
  const std::string text =
      "Bakery chain announced price rises on Friday\n"
      "LYON, March 3, 2025 — The chain will raise prices from April 1, the company said on "
      "Monday. Sales fell last year.\n";
  Result r = run(text);
  auto value = [&](const std::string& span) {
    const Figure* f = figure(r, text, span);
    return f ? f->value : nlohmann::json("missing");
  };
  EXPECT_EQ(value("March 3, 2025"), "2025-03-03");
  EXPECT_EQ(value("April 1"), "2025-04-01");  // will raise: ahead of the anchor
  EXPECT_EQ(value("Monday"), "2025-03-03");   // said: the latest Monday
  EXPECT_EQ(value("last year"), "2024");
  EXPECT_EQ(value("Friday"), "2025-02-28");  // in the headline, above the dateline
  // A given anchor wins over the dateline.
  Result given = run(text, "2026-11-25");
  const Figure* y = figure(given, text, "last year");
  ASSERT_NE(y, nullptr);
  EXPECT_EQ(y->value, "2025");
}

struct TemporalCase {
  std::string text, span, kind;
  std::optional<std::string> anchor;
  nlohmann::json value;
};

void expect_temporal(const std::vector<TemporalCase>& cases) {
  for (const auto& c : cases) {
    Result r = run(c.text, c.anchor);
    const Figure* f = figure(r, c.text, c.span);
    ASSERT_NE(f, nullptr) << c.text;
    EXPECT_EQ(f->kind, c.kind) << c.text;
    EXPECT_EQ(f->value, c.value) << c.text;
  }
}

TEST(Figures, DatesComposeRangesDayTimesAndShifts) {
  expect_temporal({
      {"from 10/1/2018 - 10/7/2018", "from 10/1/2018 - 10/7/2018", "date", std::nullopt,
       "2018-01-10/2018-07-10"},  // day first, as date.numeric reads it
      {"between 2007 and 2009", "between 2007 and 2009", "date", std::nullopt, "2007/2009"},
      {"It ran from Sep to Nov.", "from Sep to Nov", "date", "2018-09-07", "2018-09/2018-11"},
      {"APEC meets Nov-Feb 2017.", "Nov-Feb 2017", "date", "2018-10-24", "2016-11/2017-02"},
      {"It opens tomorrow at 8:45 am.", "tomorrow at 8:45 am", "time", "2016-11-07",
       "2016-11-08T08:45"},
      {"We met Tuesday, March 7.", "Tuesday, March 7", "date", "2017-03-10", "2017-03-07"},
      {"He left tuesday of last week.", "tuesday of last week", "date", "2019-07-30", "2019-07-23"},
      {"It was 2 weeks before May 13 1999.", "2 weeks before May 13 1999", "date", std::nullopt,
       "1999-04-29"},
      {"It is open 5-6 pm on weekdays.", "5-6 pm", "time", std::nullopt, "T17:00/T18:00"},
      {"the polls closed last night", "last night", "time", "2026-11-25",
       "2026-11-24T20:00/2026-11-24T24:00"},
  });
}

TEST(Figures, DatesDoNotJoinListsOrVerbs) {
  // "and" joins a range only after "between"; a list of dates stays a list.
  Result r = run("The votes on 11/20 and 11/22 were close.", "2026-11-25");
  int dates = 0;
  for (const auto& f : r.figures) dates += f.kind == "date";
  EXPECT_EQ(dates, 2);
  for (std::string text : {"It may be in may.", "They march on.", "He said this may help.",
                           "The Sun reported it.", "the Daily Mail", "an august body"}) {
    Result v = run(text, "2026-11-25");
    EXPECT_TRUE(v.figures.empty())
        << text << ": " << (v.figures.empty() ? "" : sub(text, v.figures[0].span));
  }
}

TEST(Figures, ClockTimesAndFrequencies) {
  expect_temporal({
      {"It's half past seven o'clock", "half past seven o'clock", "time", std::nullopt, "T07:30"},
      {"at ten past 9 in the evening", "ten past 9 in the evening", "time", std::nullopt, "T21:10"},
      {"back at 9:00a.", "9:00a", "time", std::nullopt, "T09:00"},
      {"the board meets twice a year", "twice a year", "frequency", std::nullopt, "R/P0.5Y"},
      {"we meet every Monday at 4pm", "every Monday at 4pm", "frequency", std::nullopt, "R/P1W"},
      {"the 21st century", "21st century", "date", std::nullopt, "2000/2099"},
  });
}

TEST(Figures, HolidaysWeekendsSeasonsAndBounds) {
  expect_temporal({
      {"back on Easter 2018", "Easter 2018", "date", std::nullopt, "2018-04-01"},
      {"When was the last easter?", "last easter", "date", "2019-05-01", "2019-04-21"},
      {"I will go back Sat 14th", "Sat 14th", "date", "2022-05-01", "2022-05-14"},
      {"Talks failed last weekend.", "last weekend", "date", "2026-11-25", "2026-11-21/2026-11-22"},
      {"Last winter was cold.", "Last winter", "date", "2026-11-25", "2025-12/2026-02"},
      {"in the 3rd week of 2018", "the 3rd week of 2018", "date", std::nullopt, "2018-W03"},
  });
  Result r = run("Sales rose after 2010 and no later than January 1, 2012.");
  ASSERT_EQ(r.figures.size(), 2u);
  EXPECT_EQ(r.figures[0].qualifier, "gt");
  EXPECT_EQ(r.figures[1].qualifier, "lte");
}

const Entity* entity(const Result& r, const std::string& name) {
  for (const auto& e : r.entities)
    if (e.name == name) return &e;
  return nullptr;
}

TEST(Entities, PeoplePlacesOrganizationsAndLinking) {
  std::string text =
      "Canadian Prime Minister Mark Carney flew to Mexico City. Carney met officials of the UN-led "
      "mission and said the U.S. would follow. Trade with America grew.";
  Result r = run(text);
  const Entity* carney = entity(r, "Mark Carney");
  ASSERT_NE(carney, nullptr);
  EXPECT_EQ(carney->type, "person");
  EXPECT_EQ(carney->mentions.size(), 2u);
  const Entity* us = entity(r, "United States");
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->mentions.size(), 2u);  // "U.S." and "America"
  const Entity* un = entity(r, "United Nations");
  ASSERT_NE(un, nullptr);
  EXPECT_EQ(un->mentions[0].form, "acronym");
  const Entity* canada = entity(r, "Canada");
  ASSERT_NE(canada, nullptr);
  EXPECT_EQ(canada->mentions[0].form, "demonym");
  const Entity* city = entity(r, "Mexico City");
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->subtype, "city");
  EXPECT_EQ(entity(r, "Mexico"), nullptr);  // "Mexico City" is one place, not two
}

// A company named in full, then by its first word: one organization, not a person.
TEST(Entities, AFirstWordAloneIsTheOrganizationItOpens) {
  Result r =
      run("Qwest Communications has agreed to buy a rival. Qwest said it would pay $2 billion. "
          "Shares in Qwest rose.");
  const Entity* qwest = entity(r, "Qwest Communications");
  ASSERT_NE(qwest, nullptr);
  EXPECT_EQ(qwest->type, "organization");
  EXPECT_EQ(qwest->mentions.size(), 3u);
  EXPECT_EQ(entity(r, "Qwest"), nullptr);
  // A first name or a known place keeps its own reading.
  Result named = run("The Steve Redgrave Trust gave money. Steve said he was glad.");
  EXPECT_EQ(entity(named, "Steve Redgrave Trust")->mentions.size(), 1u);
}

TEST(Entities, HeadlineCaseIsNoEvidence) {
  Result r = run(
      "Canada and Mexico Forge Unprecedented Alliance\nThe two countries signed a deal on Monday.");
  for (const auto& e : r.entities) EXPECT_NE(e.type, "organization") << e.name;
  EXPECT_TRUE(r.agreements.empty());
}

TEST(Agreements, AcronymPartiesTypeStatus) {
  std::string text =
      "Trump threatened to exclude Mexico from CUSMA (Canada-United States-Mexico Agreement). "
      "The CUSMA review begins next year. Canada and Mexico launched the Canada-Mexico "
      "Comprehensive Strategic Partnership.";
  Result r = run(text);
  ASSERT_EQ(r.agreements.size(), 2u);
  const Agreement& cusma = r.agreements[0];
  EXPECT_EQ(cusma.name, "Canada-United States-Mexico Agreement");
  EXPECT_EQ(cusma.aliases, std::vector<std::string>{"CUSMA"});
  EXPECT_EQ(cusma.type, "trade");
  EXPECT_EQ(cusma.kind, "trade");
  EXPECT_TRUE(cusma.named);
  EXPECT_EQ(cusma.status, "negotiating");  // a review is talks on an agreement in force
  ASSERT_EQ(cusma.parties.size(), 3u);
  EXPECT_EQ(r.entities[cusma.parties[0]].name, "Canada");
  EXPECT_EQ(r.entities[cusma.parties[1]].name, "United States");
  EXPECT_EQ(r.entities[cusma.parties[2]].name, "Mexico");
  EXPECT_EQ(r.agreements[1].name, "Canada-Mexico Comprehensive Strategic Partnership");
  EXPECT_EQ(r.agreements[1].type, "strategic");
  EXPECT_EQ(r.agreements[1].kind, "partnership");
}

// Deals reported without a name (patterns/en/deals.yaml, src/extract/deals.cc).
namespace {
std::vector<std::string> party_names(const Result& r, const Agreement& a) {
  std::vector<std::string> out;
  for (size_t p : a.parties) out.push_back(r.entities[p].name);
  return out;
}
}  // namespace

TEST(Deals, FrameLaterMentionsValueAndClaimLink) {
  std::string text =
      "Nordvik Breweries has agreed to buy Danish rival Holm & Sons for £2.1bn. "
      "The deal still needs the approval of regulators. "
      "Shares in Holm & Sons rose 4% after the takeover was announced.";
  Document doc;
  Result r = run(text, std::nullopt, &doc);
  ASSERT_EQ(r.agreements.size(), 1u);
  const Agreement& a = r.agreements[0];
  EXPECT_FALSE(a.named);
  EXPECT_EQ(a.kind, "takeover");
  EXPECT_EQ(a.status, "agreed");
  EXPECT_EQ(party_names(r, a), (std::vector<std::string>{"Nordvik Breweries", "Holm & Sons"}));
  EXPECT_EQ(a.roles, (std::vector<std::string>{"buyer", "target"}));
  ASSERT_TRUE(a.value.has_value());
  EXPECT_EQ(r.figures[*a.value].kind, "money");
  EXPECT_EQ(doc.text.substr(r.figures[*a.value].span.start, 7), "£2.1bn");  // £ is two bytes
  // One agreement: the frame's head and the two later mentions.
  ASSERT_EQ(a.mentions.size(), 3u);
  EXPECT_EQ(doc.text.substr(a.mentions[1].span.start, 4), "deal");
  EXPECT_EQ(doc.text.substr(a.mentions[2].span.start, 8), "takeover");
  EXPECT_EQ(doc.text.substr(a.evidence.start, a.evidence.end - a.evidence.start),
            "Nordvik Breweries has agreed to buy Danish rival Holm & Sons for £2.1bn.");
  // The claim stating the deal links to it.
  ASSERT_FALSE(r.claims.empty());
  EXPECT_EQ(r.claims[0].agreements, std::vector<size_t>{0});
}

TEST(Deals, OneDealAcrossFramesTwoDealsAcrossValues) {
  // The same takeover told twice is one agreement; a loan and an older, larger one with the
  // same parties are two.
  Result r =
      run("Oracle completed its $10.3bn takeover of Peoplesoft last week. Peoplesoft had rejected "
          "Oracle's earlier bid. Turkey's current $18.6bn loan agreement with the IMF expires in "
          "February. Turkey has agreed to borrow $10bn from the IMF.");
  std::vector<std::string> kinds;
  for (const auto& a : r.agreements) kinds.push_back(a.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"takeover", "contract", "contract"}));
  ASSERT_EQ(r.agreements.size(), 3u);
  EXPECT_EQ(party_names(r, r.agreements[0]), (std::vector<std::string>{"Oracle", "Peoplesoft"}));
  EXPECT_EQ(r.agreements[0].status, "rejected");  // an ending outranks a step on the way
  EXPECT_EQ(r.agreements[1].status, "in-force");
  EXPECT_EQ(r.agreements[2].status, "agreed");
}

TEST(Deals, NewPartiesAreOrganizationsWithTheirMentions) {
  // "Zarvex" is typed by no rule: the frame makes it an organization, with its other mention.
  std::string text = "Kelmar Group said it had bought Zarvex for $40m. Zarvex makes chips.";
  Document doc;
  Result r = run(text, std::nullopt, &doc);
  ASSERT_EQ(r.agreements.size(), 1u);
  bool found = false;
  for (const auto& e : r.entities)
    if (e.name == "Zarvex") {
      found = true;
      EXPECT_EQ(e.type, "organization");
      EXPECT_EQ(e.mentions.size(), 2u);
      for (const auto& m : e.mentions)
        EXPECT_EQ(doc.text.substr(m.span.start, m.span.end - m.span.start), "Zarvex");
    }
  EXPECT_TRUE(found);
}

TEST(Deals, OneSideGroupsAndEmployers) {
  // A deal one side made is one; a group no name gives is a party of subtype "group" named
  // after whose it is; a person's contract is with the body a role ties them to.
  std::string text =
      "Skyway Airlines needs to cut costs. Last week, it struck a $1bn deal with its pilots. "
      "On Monday, it negotiated a deal to defer $135m in debt. "
      "Westfield United striker Tom Hardy has signed a new contract until 2008.";
  Document doc;
  Result r = run(text, std::nullopt, &doc);
  ASSERT_EQ(r.agreements.size(), 3u);
  EXPECT_EQ(party_names(r, r.agreements[0]),
            (std::vector<std::string>{"Skyway Airlines", "Skyway Airlines pilots"}));
  const Entity& pilots = r.entities[r.agreements[0].parties[1]];
  EXPECT_EQ(pilots.subtype, "group");
  ASSERT_EQ(pilots.mentions.size(), 1u);
  EXPECT_EQ(pilots.mentions[0].form, "description");
  const TextRange& at = pilots.mentions[0].span;
  EXPECT_EQ(doc.text.substr(at.start, at.end - at.start), "its pilots");
  EXPECT_EQ(party_names(r, r.agreements[1]), (std::vector<std::string>{"Skyway Airlines"}));
  EXPECT_EQ(r.agreements[1].status, "agreed");
  EXPECT_EQ(party_names(r, r.agreements[2]),
            (std::vector<std::string>{"Westfield United", "Tom Hardy"}));
  EXPECT_EQ(r.agreements[2].kind, "contract");
}

TEST(Deals, ADealTheTextNamesIsTheNamedAgreement) {
  // "The deal, known as the X Partnership" ties the reported deal to its name: one agreement.
  Result r =
      run("The Halifax Port Authority signed a $1.2 billion agreement on Tuesday with a Dutch "
          "terminal operator. The deal, known as the Atlantic Gateway Partnership, commits both "
          "sides to building two new berths.");
  ASSERT_EQ(r.agreements.size(), 1u);
  const Agreement& a = r.agreements[0];
  EXPECT_TRUE(a.named);
  EXPECT_EQ(a.name, "Atlantic Gateway Partnership");
  EXPECT_EQ(party_names(r, a),
            (std::vector<std::string>{"Halifax Port Authority", "Dutch terminal operator"}));
  EXPECT_EQ(a.status, "signed");
  EXPECT_TRUE(a.value.has_value());
  ASSERT_EQ(a.mentions.size(), 3u);
  EXPECT_LT(a.mentions[0].span.start, a.mentions[2].span.start);
}

TEST(Deals, NoDealWithoutTwoSides) {
  // Talk of a deal with one side, talks with no deal named, people alone, bids for titles, a
  // deal made by a person alone or with a group alone.
  for (const char* text : {
           "The deal was good for everyone.",
           "Gen Musharraf held talks with Tony Blair on Monday.",
           "Andy Roddick ended his partnership with Brad Gilbert.",
           "She failed in her bid to win the title.",
           "Investors bought shares on Monday.",
           "Tony Blair signed a new contract.",
           "\"I signed a new deal with a new record company,\" he said.",
       }) {
    Result r = run(text);
    EXPECT_TRUE(r.agreements.empty()) << text;
  }
}

TEST(Claims, ScoredTypedLinkedAttributed) {
  std::string text =
      "Exports rose 8.5% to $11.1 billion last year, Statistics Canada said. "
      "What a lovely day? The weather was nice.";
  Result r = run(text);
  ASSERT_EQ(r.claims.size(), 1u);
  const Claim& c = r.claims[0];
  EXPECT_EQ(c.figures.size(), 3u);
  EXPECT_GE(c.checkworthiness, 0.9);
  EXPECT_EQ(c.types[0], "quantity");
  ASSERT_TRUE(c.attribution.has_value());
  ASSERT_TRUE(c.attribution->entity.has_value());
  EXPECT_EQ(r.entities[*c.attribution->entity].name, "Statistics Canada");
  EXPECT_EQ(c.attribution->verb, "said");
  ASSERT_EQ(r.all_scored.size(), 3u);
  EXPECT_LT(r.all_scored[1].checkworthiness, 0.5);
}

TEST(Claims, ChangeOverTime) {
  std::string text = "Revenue rose 3% to $11.1bn from $10.9bn in 2024, the company said.";
  Result r = run(text);
  ASSERT_EQ(r.claims.size(), 1u);
  ASSERT_TRUE(r.claims[0].change.has_value());
  const Change& c = *r.claims[0].change;
  EXPECT_EQ(c.direction, "up");
  EXPECT_EQ(sub(text, c.verb), "rose");
  ASSERT_TRUE(c.by && c.to && c.from);
  EXPECT_EQ(sub(text, r.figures[*c.by].span), "3%");
  EXPECT_EQ(sub(text, r.figures[*c.to].span), "$11.1bn");
  EXPECT_EQ(sub(text, r.figures[*c.from].span), "$10.9bn");
}

TEST(Zones, TrailingHeadlineListIsBoilerplate) {
  std::string text =
      "Ottawa pledges $5 million to flood relief\n"
      "The federal government pledged $5 million on Monday for flood relief in Quebec, the "
      "minister said.\n"
      "Officials said the money would arrive within weeks.\n"
      "Related articles\n"
      "SHOCKING: Prime Minister Jane Doe REVEALS plan\n"
      "Mayor John Smith says the city will spend $40 million on…\n"
      "End of content\n";
  Result r = run(text);
  ASSERT_EQ(r.boilerplate.size(), 1u);
  EXPECT_EQ(r.boilerplate[0].reason, "related-links");
  EXPECT_EQ(sub(text, r.boilerplate[0].span).rfind("Related articles", 0), 0u);
  for (const auto& f : r.figures) EXPECT_LT(f.span.start, r.boilerplate[0].span.start);
  for (const auto& e : r.entities)
    for (const auto& m : e.mentions) EXPECT_LT(m.span.start, r.boilerplate[0].span.start) << e.name;
  ASSERT_TRUE(r.headline.has_value());
  EXPECT_EQ(r.sentences[0].zone, "headline");
}

// A zones model from a pack may hold any number: teaser_min_lines 0 once made an empty run of
// headline-like lines a related-links list starting past the last paragraph (fuzz finding).
TEST(Zones, ZeroTeaserThresholdFindsNoEmptyList) {
  std::vector<SourceFile> sources = embedded_pack_sources();
  bool changed = false;
  for (auto& src : sources) {
    size_t at = src.text.find("teaser_min_lines: 4");
    if (at == std::string::npos) continue;
    src.text.replace(at, 19, "teaser_min_lines: 0");
    changed = true;
  }
  ASSERT_TRUE(changed);
  RuleBook book;
  std::vector<RuleError> errors;
  book.add_sources(sources, &errors);
  ASSERT_TRUE(book.compile(&errors, RuleBook::Compile::kLazy));
  std::string text =
      "The minister said revenue rose 5% to $3 million.\nIt was the best year yet.\n";
  Result r = extract(make_document("t", "-", text), book, ExtractOptions{});
  EXPECT_TRUE(r.boilerplate.empty());
  EXPECT_FALSE(r.figures.empty());
}

TEST(Zones, BylineAndDatelineAreNotBody) {
  std::string text =
      "Canada's Economy Grows in May\n"
      "By Jane Smith and Tom Lee, Reuters\n"
      "OTTAWA (Reuters) - Canada's economy grew 0.3% in May, Statistics Canada said.\n"
      "Reporting by Jane Smith; Editing by Tom Lee\n";
  Result r = run(text);
  std::vector<std::pair<std::string, std::string>> zones;
  for (const auto& s : r.sentences) zones.emplace_back(s.zone, sub(text, s.span));
  std::vector<std::pair<std::string, std::string>> want = {
      {"headline", "Canada's Economy Grows in May"},
      {"byline", "By Jane Smith and Tom Lee, Reuters"},
      {"dateline", "OTTAWA (Reuters) -"},
      {"body", "Canada's economy grew 0.3% in May, Statistics Canada said."},
      {"byline", "Reporting by Jane Smith; Editing by Tom Lee"}};
  EXPECT_EQ(zones, want);
  ASSERT_EQ(r.all_scored.size(), 1u);
  EXPECT_EQ(sub(text, r.all_scored[0].span), want[3].second);
}

TEST(Claims, ExplainedScore) {
  Result r = run("Unemployment fell to 5% last year. Do you think so?");
  ASSERT_EQ(r.all_scored.size(), 2u);
  for (const Claim& c : r.all_scored) {
    ASSERT_FALSE(c.terms.empty());
    EXPECT_EQ(c.terms[0].name, "bias");
    double z = 0;
    for (const auto& t : c.terms) z += t.value * t.weight;
    EXPECT_NEAR(1.0 / (1.0 + std::exp(-z)), c.checkworthiness, 0.001);
  }
  EXPECT_TRUE(r.all_scored[0].not_claim_reason.empty());
  EXPECT_EQ(r.all_scored[1].not_claim_reason, "question");
}

// Without all_scored a result holds the same claims (a batch run keeps only those).
TEST(Claims, AllScoredIsOptionalAndClaimsStayTheSame) {
  Document doc = make_document("t", "-",
                               "Unemployment fell to 4.1% in March, the ministry said. It was a "
                               "sunny day. Exports rose by $9.9 million last year.");
  ExtractOptions keep, drop;
  drop.keep_all_scored = false;
  Result a = extract(doc, default_rulebook(), keep);
  Result b = extract(doc, default_rulebook(), drop);
  EXPECT_EQ(a.all_scored.size(), 3u);
  EXPECT_TRUE(b.all_scored.empty());
  ASSERT_EQ(a.claims.size(), b.claims.size());
  ASSERT_FALSE(a.claims.empty());
  for (size_t i = 0; i < a.claims.size(); ++i) {
    EXPECT_EQ(a.claims[i].span.start, b.claims[i].span.start);
    EXPECT_EQ(a.claims[i].checkworthiness, b.claims[i].checkworthiness);
    EXPECT_EQ(a.claims[i].types, b.claims[i].types);
    EXPECT_EQ(a.claims[i].figures, b.claims[i].figures);
  }
}

// --top N keeps the N best claims in document order; the words of a sentence weigh in
// ("w:..." terms) beside its cues.
TEST(Claims, TopKeepsTheBestInDocumentOrderAndWordsWeigh) {
  Document doc = make_document("t", "-",
                               "Exports rose by $9.9 million last year. Unemployment fell to 4.1% "
                               "in March, the ministry said. Prices rose 2% in May.");
  ExtractOptions all, top;
  top.top = 2;
  Result a = extract(doc, default_rulebook(), all);
  Result b = extract(doc, default_rulebook(), top);
  ASSERT_EQ(a.claims.size(), 3u);
  ASSERT_EQ(b.claims.size(), 2u);
  EXPECT_LT(b.claims[0].span.start, b.claims[1].span.start);
  double lowest = std::min(
      {a.claims[0].checkworthiness, a.claims[1].checkworthiness, a.claims[2].checkworthiness});
  for (const Claim& c : b.claims) EXPECT_GE(c.checkworthiness, lowest);
  bool word = false;
  for (const auto& t : a.claims[0].terms) word = word || t.name.rfind("w:", 0) == 0;
  EXPECT_TRUE(word);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The key of the document's only claim (every text below is one check-worthy sentence).
std::string only_key(const std::string& text) {
  Result r = run(text, "2026-01-01");
  EXPECT_EQ(r.claims.size(), 1u) << text;
  return r.claims.empty() ? "" : r.claims[0].key;
}

TEST(ClaimKeys, SameFactsSameKey) {
  const std::string k =
      only_key("Canada and Mexico exported $5 billion of steel last year, up 20%.");
  EXPECT_EQ(k.size(), 20u);
  EXPECT_EQ(k.rfind("ck1-", 0), 0u);
  // Spacing, the order of a list of entities, number forms, the verb of telling.
  EXPECT_EQ(only_key("Canada  and \t Mexico exported $5 billion of steel last year, up 20%."), k);
  EXPECT_EQ(only_key("Mexico and Canada exported $5bn of steel last year, up 20 per cent."), k);
  EXPECT_EQ(only_key("Mexico and Canada exported 5 billion dollars of steel last year, up 20%."),
            k);
  // Any kind of space, any kind of quotes.
  EXPECT_EQ(only_key("Canada and Mexico exported $5 billion of\u00a0steel last year, up 20%."), k);
  EXPECT_EQ(
      only_key("Canada and Mexico exported \u00ab$5 billion\u00bb of steel last year, up 20%."), k);
  EXPECT_EQ(only_key("The firm paid $9.9 million for Acme Corp in 2023, said Jones."),
            only_key("The firm   paid 9.9m dollars for Acme Corp in 2023, Jones said."));
}

TEST(ClaimKeys, OtherFactsOtherKey) {
  const std::string k =
      only_key("Canada and Mexico exported $5 billion of steel last year, up 20%.");
  EXPECT_NE(only_key("Canada and Mexico imported $5 billion of steel last year, up 20%."), k);
  EXPECT_NE(only_key("Canada and Mexico exported $6 billion of steel last year, up 20%."), k);
  EXPECT_NE(only_key("Canada and Mexico exported \u20ac5 billion of steel last year, up 20%."), k);
  EXPECT_NE(only_key("Canada and Mexico exported $5 billion of steel in 2023, up 20%."), k);
  EXPECT_NE(only_key("Canada and Peru exported $5 billion of steel last year, up 20%."), k);
}

// Words are runs of Unicode letters and marks: a letter outside ASCII is part of its word, and
// a separator outside ASCII separates like a space.
TEST(ClaimKeys, WordsAreUnicodeLetterRuns) {
  const std::string k =
      only_key("Canada and Mexico exported $5 billion of cafe steel last year, up 20%.");
  EXPECT_NE(only_key("Canada and Mexico exported $5 billion of caf\u00e9 steel last year, up 20%."),
            k);
  EXPECT_NE(
      only_key("Canada and Mexico exported $5 billion of cafe\u0301 steel last year, up 20%."), k);
  EXPECT_EQ(only_key("Canada and Mexico exported $5 billion of cafe\u00b7steel last year, up 20%."),
            k);
  EXPECT_EQ(only_key("Canada and Mexico exported $5 billion of cafe\u2014steel last year, up 20%."),
            k);
  EXPECT_EQ(only_key("Canada and Mexico exported $5 billion of \u041a\u0430\u0444\u0435 steel "
                     "last year, up 20%."),
            only_key("Canada and Mexico exported $5 billion of \u043a\u0430\u0444\u0435 steel "
                     "last year, up 20%."));
  // Each of these would equal the key beside it if a letter outside ASCII split words.
  EXPECT_NE(only_key("Canada and Mexico exported $5 billion of caf\u00e9 steel last year, up 20%."),
            only_key("Canada and Mexico exported $5 billion of caf steel last year, up 20%."));
  EXPECT_NE(only_key("Canada and Mexico exported $5 billion of \u043a\u0430\u0444\u0435 steel "
                     "last year, up 20%."),
            only_key("Canada and Mexico exported $5 billion of steel last year, up 20%."));
  // A word at the sentence's end whose last letter is two bytes long.
  EXPECT_NE(
      only_key("Canada and Mexico exported $5 billion of steel last year, up 20% in caf\u00e9"),
      only_key("Canada and Mexico exported $5 billion of steel last year, up 20% in caf"));
}

// A batch gives every document what extract() alone gives it, byte for byte in the JSON,
// whichever documents share its matching windows (256 KB of sentences): many to a window, a
// window boundary between two documents and inside one, a sentence matched alone (over 16 KB)
// and one longer than a window, documents with nothing to match, an empty batch.
TEST(Batch, SameAsOneByOne) {
  std::vector<Document> docs;
  std::string pool;  // the samples, for cutting documents of any length from
  for (const char* name : {"budget-speech", "port-deal", "pricing-euro", "trade-pact"}) {
    std::string text = read_file(std::string(CLAIMX_SOURCE_DIR) + "/samples/" + name + ".txt");
    ASSERT_FALSE(text.empty()) << name;
    docs.push_back(make_document(name, name, text));
    pool += text + "\n";
  }
  while (pool.size() < (320 << 10)) pool += pool;
  docs.push_back(make_document("empty", "-", ""));
  std::string sentence;  // one sentence of 20 KB, then one of 400 KB
  while (sentence.size() < (20 << 10))
    sentence += "exports rose by $9.9 million and 4% in March, Canada's trade minister said ";
  docs.push_back(make_document("long", "-", "Headline\n\n" + sentence + "\nShe left."));
  while (sentence.size() < (400 << 10)) sentence += sentence;
  docs.push_back(make_document("longer", "-", "Headline\n\n" + sentence + "\nShe left."));
  for (int i = 0; i < 300; ++i)  // 300 B to 4 KB each: 640 KB in all, over two windows
    docs.push_back(make_document("short" + std::to_string(i), "-",
                                 pool.substr((i * 977) % 4096, 300 + (i * 1531) % 4000)));
  docs.push_back(make_document("big", "-", pool.substr(0, 300 << 10)));  // spans a window edge
  docs.push_back(make_document("blank", "-", "\n\n   \n"));

  const RuleBook& book = default_rulebook();
  ExtractOptions opt;
  opt.anchor_date = "2026-11-25";
  std::vector<const Document*> all;
  for (const auto& d : docs) all.push_back(&d);
  std::vector<Result> batch = extract_batch(all, book, opt);
  ASSERT_EQ(batch.size(), docs.size());
  size_t items = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    Result alone = extract(docs[i], book, opt);
    // (a boolean: two JSON documents in full would bury the failing document's name)
    EXPECT_TRUE(to_json(docs[i], batch[i], {}) == to_json(docs[i], alone, {})) << docs[i].id;
    items += alone.figures.size() + alone.entities.size() + alone.claims.size();
  }
  EXPECT_GE(items, 48700u);  // the documents do have items to lose (51,297)
  EXPECT_TRUE(extract_batch({}, book, opt).empty());
}

}  // namespace
}  // namespace claimx
