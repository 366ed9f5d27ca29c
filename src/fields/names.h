/* Numbers to the names people read: open flags, protections, ptrace
 * requests, socket families... Each writes into buf and returns it. */
#ifndef VIGIL_FIELDS_NAMES_H
#define VIGIL_FIELDS_NAMES_H

#include <stddef.h>
#include <stdint.h>

const char *vg_open_flags(char *buf, size_t size, uint32_t flags);
const char *vg_prot_flags(char *buf, size_t size, uint64_t prot);
const char *vg_clone_ns_flags(char *buf, size_t size, uint64_t flags);
/* Single values: a name, or the number when unknown. */
const char *vg_ptrace_request(char *buf, size_t size, uint64_t req);
const char *vg_signal_name(char *buf, size_t size, uint64_t sig);
const char *vg_socket_family(char *buf, size_t size, uint32_t family);
const char *vg_socket_type(char *buf, size_t size, uint32_t type);
const char *vg_bpf_cmd(char *buf, size_t size, uint64_t cmd);
const char *vg_prctl_option(char *buf, size_t size, uint64_t opt);
/* "file", "directory", "socket", "pipe", "char", "block", "symlink" from an
 * inode mode; "" for 0. */
const char *vg_file_type(uint32_t mode);

/* memfd_create flags: MFD_CLOEXEC|MFD_ALLOW_SEALING ... */
const char *vg_memfd_flags(char *buf, size_t size, uint64_t flags);
/* A capability set as Falco renders it, "CAP_CHOWN CAP_KILL ..." (names cut
 * at the end of buf, whole); returns the length. */
size_t vg_caps_text(char *buf, size_t size, uint64_t caps);
/* The kernel's dev_t of a terminal (major << 20 | minor) as user space
 * encodes it, which is what Falco shows: pts/0 is 34816. */
uint32_t vg_tty_number(uint32_t kdev);

#endif
