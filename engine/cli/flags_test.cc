#include "engine/cli/flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(FlagSetTest, ParsesBothFormsAndBooleans) {
  std::string config = "", listen = "0.0.0.0:9099";
  bool config_set = false, lifecycle = false, color = true;
  FlagSet flags;
  flags.AddString("config.file", "Config file.", &config, &config_set);
  flags.AddString("web.listen-address", "Listen address.", &listen);
  flags.AddBool("web.enable-lifecycle", "Enable /-/reload.", &lifecycle);
  flags.AddBool("color", "Colour output.", &color);
  std::vector<std::string> positional;
  ASSERT_TRUE(
      flags
          .Parse({"--config.file=a.yml", "x", "--web.listen-address", ":1234",
                  "--web.enable-lifecycle", "--no-color", "--", "--not-a-flag"},
                 &positional)
          .ok());
  EXPECT_EQ(config, "a.yml");
  EXPECT_TRUE(config_set);
  EXPECT_EQ(listen, ":1234");
  EXPECT_TRUE(lifecycle);
  EXPECT_FALSE(color);
  EXPECT_THAT(positional, ElementsAre("x", "--not-a-flag"));
  EXPECT_THAT(flags.Values(), ElementsAre(Pair("config.file", "a.yml"),
                                          Pair("web.listen-address", ":1234"),
                                          Pair("web.enable-lifecycle", "true"),
                                          Pair("color", "false")));
  EXPECT_THAT(flags.Usage(),
              HasSubstr("--web.listen-address=\"0.0.0.0:9099\""));
}

TEST(FlagSetTest, Errors) {
  std::string v;
  bool b = false;
  FlagSet flags;
  flags.AddString("storage.path", "", &v);
  flags.AddBool("b", "", &b);
  std::vector<std::string> positional;
  EXPECT_EQ(flags.Parse({"--nope"}, &positional).message(),
            "unknown long flag '--nope'");
  EXPECT_EQ(flags.Parse({"--storage.path"}, &positional).message(),
            "expected argument for flag '--storage.path'");
  EXPECT_EQ(flags.Parse({"--b=maybe"}, &positional).message(),
            "flag '--b': expected true or false, got 'maybe'");
  EXPECT_EQ(flags.Parse({"--no-storage.path"}, &positional).message(),
            "unknown long flag '--no-storage.path'");
}

}  // namespace
}  // namespace fraisier::cli
