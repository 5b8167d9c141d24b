// Entry point of the `ruler` binary.
#include <iostream>
#include <string>
#include <vector>

#include "engine/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return fraisier::cli::Run(args, fraisier::cli::DefaultCommands(), std::cout,
                            std::cerr);
}
