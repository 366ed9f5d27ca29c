/* Fuzz target: command lines read by meaning (src/fields/decoders.c and
 * src/fields/grep_search.c). Any bytes, as a shell line, as a blank-separated
 * command and as NUL-separated arguments of base64, xxd, openssl and grep,
 * (and rg, ag) must be judged without reading outside the input (ASan) or crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields/decoders.h"
#include "fields/grep_search.h"
#include "fields/relay.h"
#include "util/macros.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tools[] = { "/usr/bin/base64", "/usr/bin/xxd", "/usr/bin/openssl",
					     "/usr/bin/basenc", "/usr/bin/grep", "/usr/bin/egrep",
					     "/usr/bin/rg", "/usr/bin/ag" };
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0; /* NUL-separated arguments end with a NUL */
	(void)vg_command_decodes(s, size);
	(void)vg_shell_line_decodes_and_runs(s, size);
	(void)vg_shell_args_decode_and_run(s, size + 1);
	(void)vg_shell_args_read_stdin(s, size + 1);
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		(void)vg_argv_decodes(tools[i], s, size + 1);
		(void)vg_grep_credential_search(tools[i], s, size + 1);
	}
	free(s);
	return 0;
}
