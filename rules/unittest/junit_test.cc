#include "rules/unittest/junit.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::rules::unittest {
namespace {

std::vector<FileResult> Results() {
  FileResult good;
  good.path = "a.yml";
  good.duration = absl::Milliseconds(1500);
  TestCaseResult pass;
  pass.name = "cpu <high>";
  pass.duration = absl::Milliseconds(250);
  TestCaseResult fail;
  fail.name = "#2";
  fail.failures = {"alertname: X, time: 5m\n    got: (none)", "second"};
  TestCaseResult skip;
  skip.name = "slow";
  skip.skipped = true;
  good.tests = {pass, fail, skip};
  FileResult broken;
  broken.path = "b&c.yml";
  broken.errors = {"b&c.yml:1:1: unknown field \"x\""};
  return {good, broken};
}

TEST(JunitTest, OneSuitePerFileOneCasePerGroup) {
  EXPECT_EQ(
      JunitXml(Results()),
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"ruler test rules\" tests=\"4\" failures=\"2\" "
      "errors=\"0\" skipped=\"1\" time=\"1.500\">\n"
      "  <testsuite name=\"a.yml\" tests=\"3\" failures=\"1\" errors=\"0\" "
      "skipped=\"1\" time=\"1.500\">\n"
      "    <testcase name=\"cpu &lt;high&gt;\" classname=\"a.yml\" "
      "time=\"0.250\"/>\n"
      "    <testcase name=\"#2\" classname=\"a.yml\" time=\"0.000\">\n"
      "      <failure message=\"alertname: X, time: 5m\" "
      "type=\"failure\">alertname: X, time: 5m\n"
      "    got: (none)\n"
      "second</failure>\n"
      "    </testcase>\n"
      "    <testcase name=\"slow\" classname=\"a.yml\" time=\"0.000\">\n"
      "      <skipped message=\"not selected by --run\"/>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "  <testsuite name=\"b&amp;c.yml\" tests=\"1\" failures=\"1\" "
      "errors=\"0\" skipped=\"0\" time=\"0.000\">\n"
      "    <testcase name=\"b&amp;c.yml\" classname=\"b&amp;c.yml\" "
      "time=\"0.000\">\n"
      "      <failure message=\"b&amp;c.yml:1:1: unknown field "
      "&quot;x&quot;\" type=\"failure\">b&amp;c.yml:1:1: unknown field "
      "&quot;x&quot;</failure>\n"
      "    </testcase>\n"
      "  </testsuite>\n"
      "</testsuites>\n");
}

TEST(JunitTest, EmptyRun) {
  EXPECT_EQ(JunitXml({}),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"ruler test rules\" tests=\"0\" failures=\"0\" "
            "errors=\"0\" skipped=\"0\" time=\"0.000\">\n"
            "</testsuites>\n");
}

TEST(JunitTest, XmlEscape) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'\n\t"), "a&lt;b&gt;&amp;&quot;c&apos;\n\t");
  EXPECT_EQ(XmlEscape(std::string("x\x01y", 3)), "x\xEF\xBF\xBDy");
  EXPECT_EQ(XmlEscape("caf\xC3\xA9"), "caf\xC3\xA9");
}

}  // namespace
}  // namespace fraisier::rules::unittest
