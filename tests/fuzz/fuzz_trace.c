/* Fuzz the trace parser that `vigil replay` uses (tests/fuzz/corpus/trace/).
 * The first byte picks the format (even: ADFA-LD, odd: UNM), the rest is the
 * file. Every call the parser reports must be in range. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ph/trace.h"

static int check_call(void *ctx, uint32_t pid, uint32_t call)
{
	(void)ctx;
	(void)pid;
	if (call > PH_TRACE_CALL_MAX)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ph_trace_error err;
	enum ph_trace_format fmt;
	long ret;

	if (size < 1)
		return 0;
	fmt = data[0] & 1 ? PH_TRACE_UNM : PH_TRACE_ADFA;
	ret = ph_trace_parse_buf(fmt, (const char *)data + 1, size - 1, check_call, NULL, &err);
	if (ret < 0 && err.msg[0] == '\0')
		abort(); /* every error must say what is wrong */
	return 0;
}
