/* Fuzz target: the --output spec "TYPE[:key=value,...]". Any bytes must
 * parse or be refused with a message; a parsed spec must have a name and
 * the keys its type needs, and a RFC 5424 line built from the input must
 * stay within its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/out_conf.h"
#include "output/sinks.h"
#include "output/outputs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1), err[256], line[600];
	struct vg_output_conf *c = NULL;

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = 0;
	err[0] = 0;
	if (vg_output_conf_parse(&c, spec, err, sizeof(err)) == 0) {
		if (!c || !vg_output_conf_name(c)[0])
			__builtin_trap();
		if ((c->type == VG_OUT_FILE && !c->path) || (c->type == VG_OUT_WEBHOOK && !c->url) ||
		    (c->type == VG_OUT_PROGRAM && !c->command))
			__builtin_trap();
		if (c->queue < 1 || c->queue > VG_OUTPUT_QUEUE_MAX)
			__builtin_trap();
		vg_output_conf_free(c);
	} else if (!err[0] || c) {
		__builtin_trap(); /* a refusal says why and allocates nothing */
	}
	if (vg_rfc5424_format(line, sizeof(line), 0, 4, 0, spec, spec, 1, spec, spec, size) >=
	    sizeof(line))
		__builtin_trap();
	free(spec);
	return 0;
}
