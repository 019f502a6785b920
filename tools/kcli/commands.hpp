// kcli subcommands. Each parses its flags and calls the library.
#pragma once

namespace kcli {

int cmd_decode(int argc, char** argv);
int cmd_consume(int argc, char** argv);
int cmd_produce(int argc, char** argv);
int cmd_metadata(int argc, char** argv);
int cmd_topics(int argc, char** argv);
int cmd_groups(int argc, char** argv);
int cmd_proxy(int argc, char** argv);
int cmd_chart(int argc, char** argv);
int cmd_bench(int argc, char** argv);

}  // namespace kcli
