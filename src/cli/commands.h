/* The vigil subcommands. Each lives in its own file under src/cli/ and takes
 * argv starting at its own name, like bpftool's do_prog(). */
#ifndef VIGIL_CLI_COMMANDS_H
#define VIGIL_CLI_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_bpf_audit(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_dashboard(int argc, char **argv);

#endif
