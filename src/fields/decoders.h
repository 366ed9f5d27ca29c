/* Decoders read as they read their options (base64/base32/basenc -d as
 * getopt does, xxd -r as xxd does, openssl enc/base64/<cipher> -d), for
 * the rule fields vigil.decodes, vigil.stdin.writer_decodes and
 * vigil.shell.decode_runs (src/fields/meaning.c) (see docs/rules.md and the VG-043 rule). */
#ifndef VIGIL_FIELDS_DECODERS_H
#define VIGIL_FIELDS_DECODERS_H

#include <stdbool.h>
#include <stddef.h>

/* cmd: "program arg1 arg2 ..." separated by blanks (a command line as
 * proc.cmdline or vigil.stdin.writer give it). True when that program is a
 * decoder told to decode. */
bool vg_command_decodes(const char *cmd, size_t len);

/* The same for a program name and its arguments as the kernel gave them
 * (each argument NUL-terminated, args_len counting the NULs). */
bool vg_argv_decodes(const char *name, const char *args, size_t args_len);

/* A shell's script text (sh -c '...'): a decoding stage piped straight into
 * a shell or interpreter, or a decoding stage in $( ) or backticks on a
 * line that evals or sources. */
bool vg_shell_line_decodes_and_runs(const char *line, size_t len);
/* The same for arguments as the kernel gave them (NUL after each). */
bool vg_shell_args_decode_and_run(const char *args, size_t len);

#endif
