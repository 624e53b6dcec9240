// `infrascape grid ...`: power flow and N-1 screening on MATPOWER case files from the command line.
#pragma once

#include <string>
#include <vector>

namespace infrascape::grid {

// args: what follows "grid" on the command line. Returns the exit code (2 for bad input).
int grid_cli(const std::vector<std::string>& args);
// `grid hosting` (hosting_cli.cpp): args after "hosting".
int hosting_cli(const std::vector<std::string>& args);

}  // namespace infrascape::grid
