/* Program images (proc_image.h). */
#include "proc/proc_image.h"

#include <stdlib.h>
#include <string.h>

#define TTY_NAME_MAX 64

/* Entries that never saw an exec or /proc point here: no allocation, and
 * every string is "". Its refs are never counted. */
const struct vg_proc_image vg_image_empty = {
    .exe = "",
    .args = "",
    .cwd = "",
    .tty = "",
    .env = "",
};

void vg_image_put(const struct vg_proc_image *img)
{
	struct vg_proc_image *m = (struct vg_proc_image *)img;

	if (img == &vg_image_empty || !img)
		return;
	if (--m->refs == 0)
		free(m);
}

const struct vg_proc_image *vg_image_get(const struct vg_proc_image *img)
{
	if (img != &vg_image_empty)
		((struct vg_proc_image *)img)->refs++;
	return img;
}

/* Bytes a NUL-separated list needs, with the terminator of its last element
 * added if it was missing. */
static size_t list_size(const char *s, size_t len)
{
	return len + (len > 0 && s[len - 1] != '\0');
}

static const char *put_str(char **cur, const char *s, size_t n, uint32_t *len_out)
{
	char *dst = *cur;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
	*cur += n + 1;
	*len_out = (uint32_t)n;
	return dst;
}

static const char *put_list(char **cur, const char *s, size_t n, uint32_t *len_out)
{
	char *dst = *cur;
	size_t full = list_size(s, n);
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';	  /* the last element's terminator, if it was missing */
	dst[full] = '\0'; /* so that the list is a C string too (argv[0]) */
	*cur += full + 1;
	*len_out = (uint32_t)full;
	return dst;
}

static size_t clamp(const char *s, size_t n, size_t max, uint32_t *flags, uint32_t flag)
{
	if (!s)
		return 0;
	if (n > max) {
		*flags |= flag;
		return max;
	}
	return n;
}

/* One allocation holding every string of the program data. */
struct vg_proc_image *vg_image_new(const struct vg_proc_info *in)
{
	uint32_t flags = in->img_flags;
	size_t exe_n = clamp(in->exe, in->exe_len, VG_PATH_MAX, &flags, VG_IMG_PATH_TRUNC);
	size_t args_n = clamp(in->args, in->args_len, VG_ARGS_MAX, &flags, VG_IMG_ARGS_TRUNC);
	size_t cwd_n = clamp(in->cwd, in->cwd_len, VG_PATH_MAX, &flags, VG_IMG_PATH_TRUNC);
	size_t tty_n = clamp(in->tty, in->tty_len, TTY_NAME_MAX, &flags, 0);
	size_t env_n = clamp(in->env, in->env_len, VG_ENV_MAX, &flags, 0);
	size_t total = exe_n + 1 + list_size(in->args, args_n) + 1 + cwd_n + 1 + tty_n + 1 +
		       list_size(in->env, env_n) + 1;
	struct vg_proc_image *img = malloc(sizeof(*img) + total);
	char *cur;

	if (!img)
		return NULL;
	cur = img->data;
	img->refs = 1;
	img->flags = flags;
	img->exe = put_str(&cur, in->exe, exe_n, &img->exe_len);
	img->args = put_list(&cur, in->args, args_n, &img->args_len);
	img->cwd = put_str(&cur, in->cwd, cwd_n, &img->cwd_len);
	img->tty = put_str(&cur, in->tty, tty_n, &img->tty_len);
	img->env = put_list(&cur, in->env, env_n, &img->env_len);
	img->argc = 0;
	for (uint32_t i = 0; i < img->args_len; i++)
		img->argc += img->args[i] == '\0';
	img->tty_nr = in->tty_nr;
	img->exe_dev = in->exe_dev;
	img->exe_ino = in->exe_ino;
	img->exe_ctime_ns = in->exe_ctime_ns;
	img->exe_mtime_ns = in->exe_mtime_ns;
	return img;
}
