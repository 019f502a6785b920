// kcli subcommands. Each parses its flags and calls the library.
#pragma once

namespace kcli {

int cmd_decode(int argc, char** argv);

}  // namespace kcli
