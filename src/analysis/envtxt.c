/*
 * envtxt.c: the "key: value" lines of a run's env.txt (see envtxt.h).
 */
#include "analysis/envtxt.h"

#include <stdio.h>
#include <string.h>

bool envtxt_value(const char *dir, const char *key, char *out, size_t cap)
{
	char path[1024], line[1024];
	size_t klen = strlen(key);
	bool found = false;

	snprintf(path, sizeof(path), "%s/env.txt", dir);
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':' || line[klen + 1] != ' ')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, cap, "%s", line + klen + 2);
		found = true;
	}
	fclose(f);
	return found;
}
