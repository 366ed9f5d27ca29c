/* The dashboard's secrets and the file that hands the token to root:
 * random tokens, a constant-time comparison, and a file written so that a
 * planted symlink or file can never redirect it. */
#ifndef VIGIL_WEB_WEB_TOKEN_H
#define VIGIL_WEB_WEB_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VG_WEB_TOKEN_BYTES 32
#define VG_WEB_TOKEN_LEN (2 * VG_WEB_TOKEN_BYTES) /* hex */

/* VG_WEB_TOKEN_LEN hex characters and a NUL from getrandom(). Returns 0 or
 * a negative errno. */
int vg_web_token_new(char out[VG_WEB_TOKEN_LEN + 1]);
/* a == b (b of any length) in time that depends only on b's length. */
bool vg_web_token_equal(const char *a, const char *b, size_t blen);

/* Writes text to path, mode 0600, owned by the caller. The directory is
 * created 0700 when missing; an existing one must belong to root (or the
 * caller) and not be writable by others unless sticky. The file is created
 * with O_EXCL | O_NOFOLLOW relative to the opened directory, after removing
 * whatever had the name (a symlink is removed, never followed). Returns 0
 * and the file's inode in *ino, or a negative errno with err filled. */
int vg_web_safe_write(const char *path, const char *text, ino_t *ino, char *err, size_t errlen);
/* Removes path if it is still the file we wrote (same inode). */
void vg_web_safe_remove(const char *path, ino_t ino);

#endif
