/* Fuzz the pH profile file decoder (tests/fuzz/corpus/profile/). Whatever
 * the bytes, decoding must not crash, must name the problem when it
 * refuses, and what it accepts must pass its own checks again: every item
 * inside the file and of a generation the profile uses. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ph/ph_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ph_file_meta expect = { .model = PH_MODEL_NGRAM, .window = 9, .ngram = 12 };
	struct ph_file_meta meta;
	struct ph_profile prof;
	struct ph_file_item it;
	const char *why = NULL;
	const void *items;
	size_t n;
	int ret;

	ret = ph_file_decode(data, size, &expect, &meta, &prof, &items, &n, &why);
	if (ret) {
		if (!why || !why[0])
			abort();
		return 0;
	}
	if (n > PH_FILE_MAX_ITEMS || strlen(meta.exe) >= sizeof(meta.exe))
		abort();
	if ((const uint8_t *)items + n * sizeof(it) > data + size)
		abort();
	for (size_t i = 0; i < n; i++) {
		memcpy(&it, (const char *)items + i * sizeof(it), sizeof(it));
		if (it.gen != prof.train_gen && it.gen != prof.test_gen)
			abort();
	}
	return 0;
}
