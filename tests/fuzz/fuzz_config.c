/* Fuzz the configuration parser (tests/fuzz/corpus/config/). Whatever the
 * input, loading never crashes; every error names where it is; and what
 * loads prints (vigil config show) as YAML that loads back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *show(const struct vg_config *c)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (!f)
		abort();
	vg_config_show(c, f);
	fclose(f);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vg_config_errors errs;
	struct vg_config *c, *back;
	char *a, *b;
	int ret;

	if (vg_config_new(&c, "/r.yaml"))
		return 0;
	memset(&errs, 0, sizeof(errs));
	ret = vg_config_load_buf(c, "fuzz.yaml", (const char *)data, size, &errs);
	if (ret && (errs.n == 0 || errs.e[0].msg[0] == '\0'))
		abort(); /* a refusal always says why */
	if (ret == 0) {
		if (vg_config_new(&back, "/r.yaml")) {
			vg_config_free(c);
			return 0;
		}
		a = show(c);
		memset(&errs, 0, sizeof(errs));
		if (vg_config_load_buf(back, "show", a, strlen(a), &errs))
			abort();
		b = show(back);
		if (strcmp(a, b))
			abort();
		free(a);
		free(b);
		vg_config_free(back);
	}
	vg_config_free(c);
	return 0;
}
