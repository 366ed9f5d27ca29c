/* Opening the files vigil reads and writes so that nobody else can aim them.
 *
 * vigil runs as root and is pointed at paths by its configuration: an
 * output file, its lock file, pH's state directory, the control socket, a
 * token file. A local user who can write to a directory on such a path could
 * plant a symlink (and have root append alert text to a file of theirs or of
 * root's), create the file first (and read what vigil writes), or put a FIFO
 * there (and hang vigil's open). Everything here refuses those, before any
 * open that could block or follow them:
 *
 *   - the last component is never followed if it is a symlink (O_NOFOLLOW);
 *   - an existing file must be a regular file, owned by vigil's user, with
 *     one link; it is never truncated (vigil truncates only what it created);
 *   - every directory above it must be owned by root or vigil's user and not
 *     writable by others, unless it has the sticky bit (/tmp): otherwise
 *     whoever can write there could swap the file at any time;
 *   - a FIFO, socket or device is refused from its metadata, before open.
 *
 * Functions return a file descriptor (>= 0) or a negative errno, with the
 * reason in err (the path escaped: no control bytes reach a terminal or a
 * log). They never log (the caller decides). */
#ifndef VIGIL_UTIL_SAFE_FILE_H
#define VIGIL_UTIL_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Opens path for reading: a regular file (a FIFO, device or directory is
 * refused before it is opened; -EINVAL, -EISDIR); err reads "PATH: cannot
 * open: REASON". The last component is followed
 * when it is a symlink (rules and configuration files may be links into a
 * package), unless nofollow. */
int vg_safe_open_read(const char *path, bool nofollow, char *err, size_t errlen);

/* Opens (creating it, mode, when it does not exist) path for writing:
 * flags are O_WRONLY or O_RDWR, with O_APPEND and O_TRUNC as wanted (O_TRUNC
 * applies only to a file created here). *created (may be NULL) tells whether
 * it was. Refuses what the header describes with -EPERM (owner, directory),
 * -ELOOP (symlink), -EINVAL (not a regular file), -EMLINK (hard links). */
int vg_safe_open_write(const char *path, int flags, mode_t mode, bool *created, char *err,
		       size_t errlen);

/* Checks that nobody but root and vigil's user can replace what lies in
 * directory dir or above it (the rule above). 0 or -EPERM with the reason. */
int vg_safe_check_dir(const char *dir, char *err, size_t errlen);

/* Creates directory path (mode) if it does not exist; an existing one must
 * be a real directory (not a symlink) owned by vigil's user, with no access
 * for others beyond mode: it is never chmod'ed. Its parents must pass
 * vg_safe_check_dir. *created (may be NULL) tells whether it was made here.
 * Returns an O_DIRECTORY descriptor or a negative errno. */
int vg_safe_open_dir(const char *path, mode_t mode, bool *created, char *err, size_t errlen);

/* Replaces path's whole content with data (len bytes), mode (0600 for a
 * secret such as the dashboard's token file): written to a new temporary
 * file beside it (O_EXCL, never followed), synced, then renamed over path,
 * so a reader sees the old file or the new one, never a part. An existing
 * path must pass what vg_safe_open_write asks of a file (regular, ours, one
 * link, not a symlink); its directories too. 0 or a negative errno. */
int vg_safe_write_file(const char *path, const void *data, size_t len, mode_t mode, char *err,
		       size_t errlen);

/* Reads a secret (a token): path must be a regular file (not a symlink)
 * owned by root or vigil's user with no access for group or others. Its
 * first line, without trailing spaces, goes to buf (NUL-terminated);
 * returns its length or a negative errno (-EPERM for the modes). */
int vg_safe_read_secret(const char *path, char *buf, size_t size, char *err, size_t errlen);

/* Writes s into out (size bytes) with every byte outside printable ASCII
 * as \xNN and backslashes doubled; always NUL-terminates (truncating).
 * Returns out. For names and paths that come from the watched system or
 * from a file another user can write, before they reach a terminal or log. */
char *vg_escape(const char *s, char *out, size_t size);

#endif
